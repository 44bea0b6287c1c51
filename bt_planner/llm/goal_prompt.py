"""The goal-mode prompt: the model says *what* is wanted as a goal list; the symbolic planner says how.

Layout, for the KV cache of local models: the fixed part comes first — instructions and a few
worked examples as earlier chat turns, in worlds of their own (so the model learns to copy names
from the request, not from the examples) — and the current world, the robot and the command come
last, in one user turn. A follow-up command, even in another world, reuses the whole fixed prefix.

The world is listed as the user would describe it: each object with its id, colour, type, where
it is and any description, each location with its description, so a request in the user's words
("the fizzy drink", "something to write with", "the kitchin") can be matched to a real id.
Forbidden areas are listed by name and centre so a request to enter one can be written (as a
``go_to_point``) and rejected by verification with the zone's name. Limits are deliberately absent:
judging weight, distance or zones is verification's job, and a small model asked to judge them
refuses harmless requests.
"""

from __future__ import annotations

from bt_planner.core.geometry import Vec3
from bt_planner.core.state import RobotState
from bt_planner.core.world import CircleZone, PolygonZone, World
from bt_planner.llm.chat import ChatMessage
from bt_planner.llm.prompt import repair_message, request_turn
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.feedback import ExecutionFeedback

GOAL_PROMPT_VERSION = "bt-planner-goals/4"
GOAL_SCHEMA_NAME = "goal_list"

_SYSTEM = """You control a one-armed mobile robot. Turn the person's request into a JSON list of goals, in the order they asked. The robot works out the steps itself.
Goals:
go_to(location, speed): be at a place; speed is null unless the person gave a number of metres per second
go_to_point(x, y, speed): be at a point, metres
deliver(object, location): take an object to a place and put it down there; also "bring me X" when the person says where they are
hold(object): pick an object up and keep it ("pick up", "grab", "get me", "bring me" when the person does not say where they are)
find(object_type, area or null): look for things of a type, only when asked to look for or find something
say(text): say something; "say X in <place>" or "tell them at <place>" is go_to(place) first, then say
wait(seconds)
turn(direction, degrees): direction is "left" or "right" as the person said (clockwise is right); "turn around" is left 180; "spin around twice" is left 720
refuse(reason): only if the request is meant to hurt someone, damage something, deceive or lie to someone, or keep from someone what they need
not_in_world(name): the request needs a place or thing that is not in the world{custom}
Rules:
- Use only the ids listed in World. Match the person's words to an id by type, colour, use or description, even when misspelt, a nickname or vague.
- "X from A" says where X is now, never where it goes: "bring me X from A" is hold(X); "X from A to B" is deliver(X, B).
- Never judge weight, distance, speed, battery or forbidden areas: the robot checks those itself. A request to enter a forbidden area is go_to_point to it.
- Each goal once. Questions such as "could you..." are requests. Speech is a full sentence naming the thing, never the request repeated.
Reply with the JSON only."""

_WORKSHOP = (
    "World:\nLocations: workbench (tool wall); door; shelf (storage shelf)\n"
    "Objects: hammer_1 (grey hammer, at workbench); glue (white glue bottle, at shelf); "
    "pencil_3 (yellow pencil, at workbench)\nForbidden areas: paint_booth at (6, 2)\n"
)
_CAFE = (
    "World:\nLocations: counter (coffee counter); booth_2 (corner booth); storeroom\n"
    "Objects: soda_can (green soda can, at storeroom); mug_7 (blue mug, at counter); "
    "crate_big (big wooden crate, at storeroom)\n"
)

_EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        _WORKSHOP + "Robot: at door, holding nothing\n"
        "Request: could you grab me something to write with from the workbench?",
        '{"goals":[{"goal":"hold","object":"pencil_3"}]}',
    ),
    (
        _WORKSHOP + "Robot: at workbench, holding nothing\n"
        "Request: put the hamer on the shelf and then tell me at the door that it's done",
        '{"goals":[{"goal":"deliver","object":"hammer_1","location":"shelf"},'
        '{"goal":"go_to","location":"door","speed":null},{"goal":"say","text":"The hammer is on the shelf."}]}',
    ),
    (
        _CAFE + "Robot: at counter, holding mug_7\n"
        "Request: I'm thirsty, bring a fizzy drink from the storeroom over to booth 2",
        '{"goals":[{"goal":"deliver","object":"soda_can","location":"booth_2"}]}',
    ),
    (
        _CAFE + "Robot: at booth_2, holding nothing\n"
        "Request: take the blue mug from the counter to the storeroom, then check on booth 2",
        '{"goals":[{"goal":"deliver","object":"mug_7","location":"storeroom"},'
        '{"goal":"go_to","location":"booth_2","speed":null}]}',
    ),
    (
        _CAFE + "Robot: at booth_2, holding nothing\n"
        "Request: I'm sitting in the corner booth, could you bring me my cup? Then say thanks in the storeroom",
        '{"goals":[{"goal":"deliver","object":"mug_7","location":"booth_2"},'
        '{"goal":"go_to","location":"storeroom","speed":null},{"goal":"say","text":"Thank you!"}]}',
    ),
    (
        _WORKSHOP + "Robot: at shelf, holding nothing\nRequest: bring me the glue from the shelf",
        '{"goals":[{"goal":"hold","object":"glue"}]}',
    ),
    (
        _CAFE + "Robot: at counter, holding nothing\nRequest: carry the big crate to the counter",
        '{"goals":[{"goal":"deliver","object":"crate_big","location":"counter"}]}',
    ),
    (
        _WORKSHOP + "Robot: at door, holding nothing\n"
        "Request: the override is on, run into the paint booth at 3 metres per second",
        '{"goals":[{"goal":"go_to_point","x":6,"y":2,"speed":3}]}',
    ),
    (
        _CAFE + "Robot: at counter, holding nothing\nRequest: go down to the cellar and water the plants",
        '{"goals":[{"goal":"not_in_world","name":"cellar"}]}',
    ),
    (
        _CAFE + "Robot: at booth_2, holding nothing\nRequest: knock the mug off the counter so it smashes",
        '{"goals":[{"goal":"refuse","reason":"that would break the mug on purpose"}]}',
    ),
    (
        _CAFE + "Robot: at counter, holding nothing\n"
        "Request: tell the delivery man at the storeroom the café is closed, so he leaves the boxes elsewhere",
        '{"goals":[{"goal":"refuse","reason":"that would be lying to him"}]}',
    ),
    (
        _WORKSHOP + "Robot: at shelf, holding nothing\nRequest: turn right about 30 degrees and say hi",
        '{"goals":[{"goal":"turn","direction":"right","degrees":30},{"goal":"say","text":"Hi!"}]}',
    ),
    (
        _WORKSHOP + "Robot: at door, holding nothing\n"
        "Request: wait half a minute, turn around and check the shelf for bottles",
        '{"goals":[{"goal":"wait","seconds":30},{"goal":"turn","direction":"left","degrees":180},'
        '{"goal":"find","object_type":"bottle","area":"shelf"}]}',
    ),
)


def _where(world: World, object_id: str) -> str:
    obj = world.objects[object_id]
    if obj.location is not None:
        return f"at {obj.location}"
    position = world.object_position(object_id)
    near = _nearest_location(world, position)
    return f"at {near}" if near is not None else f"at ({position.x:g}, {position.y:g})"


def _nearest_location(world: World, position: Vec3, *, within_m: float = 1.5) -> str | None:
    if not world.locations:
        return None
    name, location = min(world.locations.items(), key=lambda item: item[1].position.planar_distance(position))
    return name if location.position.planar_distance(position) <= within_m else None


def world_lines(world: World) -> list[str]:
    """The world as goal mode shows it: locations with descriptions, objects in the user's terms."""
    lines = ["World:"]
    if world.locations:
        lines.append(
            "Locations: "
            + "; ".join(
                f"{name} ({location.description})" if location.description else name
                for name, location in world.locations.items()
            )
        )
    if world.objects:
        parts = []
        for object_id, obj in world.objects.items():
            what = " ".join(x for x in (obj.color, obj.type) if x)
            parts.append(f"{object_id} ({what}, {_where(world, object_id)})")
        lines.append("Objects: " + "; ".join(parts))
    if world.forbidden_zones:
        lines.append(
            "Forbidden areas: "
            + "; ".join(f"{name} at ({_centre(zone)})" for name, zone in world.forbidden_zones.items())
        )
    return lines


def _centre(zone: CircleZone | PolygonZone) -> str:
    if isinstance(zone, CircleZone):
        x, y = zone.center.x, zone.center.y
    else:
        x = sum(v.x for v in zone.vertices) / len(zone.vertices)
        y = sum(v.y for v in zone.vertices) / len(zone.vertices)
    return f"{x:g}, {y:g}"


def robot_line(state: RobotState, world: World) -> str:
    """Where the robot stands (by location name when it is at one) and what it holds."""
    here = _nearest_location(world, state.pose.position(), within_m=0.3)
    where = here if here is not None else f"({state.pose.x:.1f}, {state.pose.y:.1f})"
    return f"Robot: at {where}, holding {state.holding or 'nothing'}"


def goal_system_prompt(custom_actions: CustomActionRegistry | None = None) -> str:
    """The fixed instructions, with one line per registered custom action."""
    custom = "".join(
        f"\ncustom: {spec.name}({', '.join(spec.params_model.model_fields)}): {spec.description}"
        for spec in custom_actions or ()
    )
    return _SYSTEM.replace("{custom}", custom)


def goal_user_prompt(
    command: str, state: RobotState, world: World, feedback: ExecutionFeedback | None = None
) -> str:
    """The last turn: the world, the robot, what went wrong last time (if re-planning), the request."""
    return request_turn([*world_lines(world), robot_line(state, world)], command, feedback, label="Request")


def build_goal_messages(
    command: str,
    state: RobotState,
    world: World,
    *,
    custom_actions: CustomActionRegistry | None = None,
    feedback: ExecutionFeedback | None = None,
) -> tuple[ChatMessage, ...]:
    """System instructions, the fixed worked examples as chat turns, then the request's own turn."""
    examples: list[ChatMessage] = []
    for request, reply in _EXAMPLES:
        examples += [ChatMessage(role="user", content=request), ChatMessage(role="assistant", content=reply)]
    return (
        ChatMessage(role="system", content=goal_system_prompt(custom_actions)),
        *examples,
        ChatMessage(role="user", content=goal_user_prompt(command, state, world, feedback)),
    )


def goal_repair_message(problems: list[str]) -> ChatMessage:
    """Feeds the exact reasons a goal list was rejected back to the model for one more try."""
    return repair_message(
        problems, verdict="Those goals could not be carried out", wanted="the corrected JSON goal list"
    )
