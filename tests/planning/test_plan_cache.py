"""Plan cache: hit, miss, expiry, eviction, key sensitivity, and the planner's use of it."""

from __future__ import annotations

from bt_planner.core.geometry import Pose
from bt_planner.core.world import default_world
from bt_planner.planning.plan_cache import PlanCache, cache_key, normalise_command
from bt_planner.planning.result import PlanResult
from tests.fake_openai_server import plan_reply
from tests.sample_plans import KITCHEN_COMMAND, kitchen_plan


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _result(name: str) -> PlanResult:
    return PlanResult(success=True, command=name)


def _key(command: str = "go", **state_changes: object) -> str:
    world = default_world()
    return cache_key(
        command=command,
        state=world.robot.model_copy(update=state_changes),
        world=world,
        model="m",
        temperature=0.0,
        prompt_version="v",
    )


def test_hit_miss_and_counters():
    cache = PlanCache()
    assert cache.get("a") is None
    cache.put("a", _result("a"))
    assert cache.get("a") == _result("a")
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.size) == (1, 1, 1)


def test_entries_expire_after_ttl():
    clock = FakeClock()
    cache = PlanCache(ttl_s=10, clock=clock)
    cache.put("a", _result("a"))
    clock.now = 10.0
    assert cache.get("a") is not None
    clock.now = 10.5
    assert cache.get("a") is None
    assert cache.stats().expirations == 1


def test_least_recently_used_entry_is_evicted():
    cache = PlanCache(max_entries=2)
    cache.put("a", _result("a"))
    cache.put("b", _result("b"))
    cache.get("a")
    cache.put("c", _result("c"))
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None
    assert cache.stats().evictions == 1


def test_key_ignores_case_spacing_and_trailing_punctuation_but_not_meaning():
    assert normalise_command("  Go   to the KITCHEN! ") == "go to the kitchen"
    assert _key("Go to the kitchen.") == _key("go to the kitchen")
    assert _key("go to the kitchen") != _key("go to the table")


def test_key_depends_on_the_state_that_matters_only():
    assert _key(timestamp=123.0, current_task="x") == _key()
    assert _key(pose=Pose(x=0.004)) == _key()
    assert _key(pose=Pose(x=1.0)) != _key()
    assert _key(battery_percent=40.0) != _key()
    assert _key(holding="red_cup") != _key()


def test_planner_serves_repeat_commands_from_cache(server, make_planner):
    server.push(plan_reply(kitchen_plan()))
    planner = make_planner()
    first = planner.plan(KITCHEN_COMMAND)
    second = planner.plan(KITCHEN_COMMAND.upper())
    assert first.success and second.success
    assert second.cache_hit and not first.cache_hit
    assert second.plan == first.plan
    assert len(server.requests) == 1


def test_failed_results_are_not_cached_and_cache_can_be_disabled(server, make_planner):
    server.push(plan_reply("x"), plan_reply("x"), plan_reply(kitchen_plan()), plan_reply(kitchen_plan()))
    planner = make_planner()
    assert not planner.plan(KITCHEN_COMMAND).success
    assert planner.plan(KITCHEN_COMMAND).success
    planner.settings.cache.enabled = False
    assert not planner.plan(KITCHEN_COMMAND).cache_hit
    assert len(server.requests) == 4
