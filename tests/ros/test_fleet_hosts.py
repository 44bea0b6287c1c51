"""Two robots on two "hosts": network namespaces joined by one veth pair, DDS discovery only on that link.

Host A runs robot1 (simulator + planner) and the command client; host B runs robot2. Robot2's command and
robot2's odometry (robot1's planner watches it as a fleet peer) cross the link, as they would between two
computers. Inside the namespaces every process uses ``ROS_AUTOMATIC_DISCOVERY_RANGE=SUBNET`` with both link
addresses as ``ROS_STATIC_PEERS`` and Fast DDS on UDPv4 only (no shared memory, so the data really travels
over the link); each namespace has only ``lo`` and its veth end and no default route, so no packet can
leave the private link. The scripted LLM of each host listens on that host's own loopback. Namespaces and
the veth pair are created here and deleted at teardown; without the privilege to do so the test skips.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

pytest.importorskip("rclpy")

from bt_planner.ros.fleet import FleetConfig, fleet_launch
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.node_parameters import PlannerNodeParameters
from bt_planner.ros.processes import ChildProcess
from tests.fake_openai_server import FakeOpenAIServer
from tests.ros.fleet_plans import reply_by_command
from tests.sample_plans import KITCHEN_COMMAND

pytestmark = pytest.mark.ros

CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class Host:
    netns: str
    veth: str
    address: str


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check, timeout=10)


@contextlib.contextmanager
def inside(netns: str) -> Iterator[None]:
    """Run the block on this thread inside ``netns`` (sockets created here stay in it)."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/thread-self/ns/net") as own, open(f"/run/netns/{netns}") as target:
        if libc.setns(target.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {netns} failed")
        try:
            yield
        finally:
            if libc.setns(own.fileno(), CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back to the test's own namespace failed")


@pytest.fixture
def hosts(ros_domain: int) -> Iterator[tuple[Host, Host]]:
    """Two namespaces joined by a veth pair on 10.231.<domain>.0/30; deleted at teardown."""
    tag = f"{os.getpid() % 100000}"
    a = Host(netns=f"btp{tag}a", veth=f"btv{tag}a", address=f"10.231.{ros_domain}.1")
    b = Host(netns=f"btp{tag}b", veth=f"btv{tag}b", address=f"10.231.{ros_domain}.2")
    made = ip("netns", "add", a.netns, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot create network namespaces here (`ip netns add`: {made.stderr.strip()})")
    try:
        ip("netns", "add", b.netns)
        ip("link", "add", a.veth, "type", "veth", "peer", "name", b.veth)
        for host in (a, b):
            ip("link", "set", host.veth, "netns", host.netns)
            ip("-n", host.netns, "addr", "add", f"{host.address}/30", "dev", host.veth)
            ip("-n", host.netns, "link", "set", "lo", "up")
            ip("-n", host.netns, "link", "set", host.veth, "up")
            ip("-n", host.netns, "route", "add", "224.0.0.0/4", "dev", host.veth)  # DDS multicast: the link
        yield a, b
    finally:
        for host in (a, b):
            ip("netns", "del", host.netns, check=False)  # takes its veth end (and so the pair) with it


def link_names(host: Host) -> set[str]:
    rows = json.loads(ip("-n", host.netns, "-j", "link", "show").stdout)
    return {row["ifname"] for row in rows}


def veth_packets(host: Host) -> tuple[int, int]:
    row = json.loads(ip("-n", host.netns, "-j", "-s", "link", "show", host.veth).stdout)[0]
    return row["stats64"]["rx"]["packets"], row["stats64"]["tx"]["packets"]


def test_two_hosts_each_complete_a_command_over_the_private_link(hosts, ros_env, tmp_path):
    a, b = hosts
    # the private link is all either host has: no other interface, no default route, nothing in the root
    for host in (a, b):
        assert link_names(host) == {"lo", host.veth}
        assert "default" not in ip("-n", host.netns, "route", "show").stdout
    assert not {a.veth, b.veth} & {row["ifname"] for row in json.loads(ip("-j", "link", "show").stdout)}

    config = FleetConfig.numbered(2)
    spec = fleet_launch(
        config, run_dir=tmp_path / "fleet", time_scale=10.0,
        planner=PlannerNodeParameters(tick_period_s=0.05),
    )  # fmt: skip
    placement = {"/robot1": a, "/robot2": b}
    discovery = {
        "ROS_AUTOMATIC_DISCOVERY_RANGE": "SUBNET",
        "ROS_STATIC_PEERS": f"{a.address};{b.address}",
        "FASTDDS_BUILTIN_TRANSPORTS": "UDPv4",
    }
    llms: dict[str, FakeOpenAIServer] = {}
    with contextlib.ExitStack() as stack:
        for host in (a, b):
            with inside(host.netns):
                llms[host.netns] = FakeOpenAIServer(default=reply_by_command)
            stack.enter_context(llms[host.netns])

        def start_in(host: Host, node: NodeSpec, argv: list[str] | None = None) -> ChildProcess:
            env = {**ros_env, **discovery, "OPENAI_BASE_URL": llms[host.netns].url}
            child = ChildProcess(
                node.label, ["ip", "netns", "exec", host.netns, *(argv or node.argv())], env=env,
                log_path=tmp_path / f"{node.label}.log",
            )  # fmt: skip
            assert child.env["ROS_AUTOMATIC_DISCOVERY_RANGE"] == "SUBNET"
            assert child.env["ROS_STATIC_PEERS"] == f"{a.address};{b.address}"
            assert child.env["ROS_DOMAIN_ID"] == ros_env["ROS_DOMAIN_ID"]
            return child

        children = [start_in(placement[node.namespace], node) for node in spec.nodes]
        commands = {"/robot1": KITCHEN_COMMAND, "/robot2": "go to the table and look left"}
        client_spec = NodeSpec(name="client", executable="", module="tests.ros.netns_client")
        client_argv = [
            sys.executable, "-m", "tests.ros.netns_client", "--timeout", "90",
            *(f"{namespace}={command}" for namespace, command in commands.items()),
        ]  # fmt: skip
        client = start_in(a, client_spec, client_argv)
        try:
            for child in children:
                child.start()
            client.start()
            code = client.wait(timeout_s=120)
            results = [json.loads(line) for line in client.output().splitlines() if line.startswith("{")]
        finally:
            for child in reversed([client, *children]):
                child.stop(grace_s=5.0)
            for child in [*children, client]:
                print(
                    f"----- {child.name} (pid {child.pid}, exit {child.returncode}) -----\n{child.output()}"
                )

    assert code == 0, results
    assert {r["namespace"]: r["status"] for r in results} == {"/robot1": "SUCCEEDED", "/robot2": "SUCCEEDED"}
    assert all(len(llms[h.netns].requests) == 1 for h in (a, b))  # each host's planner used its own LLM
    for host in (a, b):  # and the DDS traffic went over the link
        rx, tx = veth_packets(host)
        assert rx > 0 and tx > 0, (host, rx, tx)
