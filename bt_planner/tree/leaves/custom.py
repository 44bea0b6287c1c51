"""``CustomAction``: a registered custom action, run through the behaviour its factory builds."""

from typing import Any

import py_trees
from py_trees.common import Status

from bt_planner.core.world import World
from bt_planner.plans.actions import ActionType, CustomParams
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.robot.interface import RobotInterface
from bt_planner.tree.leaves.action_leaf import ActionLeaf
from bt_planner.tree.xml_attributes import from_attributes, to_attributes


class CustomAction(ActionLeaf[CustomParams], register=False):
    """Runs the behaviour (leaf or subtree) that the registry's ``behaviour_factory`` builds.

    The factory is called once, as ``factory(name=..., params=<typed params>, robot=...)``, and must
    return a ``py_trees.behaviour.Behaviour``. This leaf ticks it as its body, so outcomes, guards
    and timeouts work as for built-in actions, and XML export stays one element.

    Lifecycle: ``initialise`` records the start (the body initialises on its own first tick);
    ``update`` ticks the body once and returns its status and feedback message; ``terminate(INVALID)``
    stops a running body with INVALID, so its own ``terminate`` cancels what it started.
    """

    action_type = ActionType.CUSTOM
    params_model = CustomParams

    def __init__(
        self,
        name: str,
        *,
        robot: RobotInterface,
        world: World,
        custom_actions: CustomActionRegistry,
        index: int = 0,
        params: CustomParams | None = None,
        action: str = "",
        behaviour_class_name: str | None = None,
        **kwargs: str,
    ) -> None:
        if params is None:
            spec = custom_actions.get(action)
            if spec is None:
                known = ", ".join(custom_actions.names()) or "none"
                raise ValueError(f"custom action {action!r} is not registered (registered: {known})")
            arguments = from_attributes(spec.params_model, kwargs)
            params = custom_actions.validate_params(CustomParams(name=action, **arguments))
        super().__init__(
            name,
            robot=robot,
            world=world,
            index=index,
            params=params,
            behaviour_class_name=behaviour_class_name,
        )
        spec = custom_actions.get(params.name)
        if spec is None:
            known = ", ".join(custom_actions.names()) or "none"
            raise ValueError(
                f"custom action {params.name!r} is not registered in the registry given to the tree "
                f"(registered: {known}); pass the planner's registry as custom_actions="
            )
        if spec.behaviour_factory is None:
            raise ValueError(
                f"custom action {params.name!r} has no behaviour_factory; register it with "
                "CustomActionRegistry.register(..., behaviour_factory=...) to execute it"
            )
        self.spec = spec
        """The registered custom action (its parameter model gives the BT.CPP ports)."""
        body: Any = spec.behaviour_factory(
            name=params.name, params=custom_actions.typed_params(params), robot=robot
        )
        if not isinstance(body, py_trees.behaviour.Behaviour):
            raise TypeError(
                f"behaviour_factory of custom action {params.name!r} returned {type(body).__name__}, "
                "not a py_trees Behaviour"
            )
        self.body: py_trees.behaviour.Behaviour = body

    def label(self) -> str:
        return self.params.name

    def xml_attributes(self) -> dict[str, str]:
        return {"index": str(self.index), "action": self.params.name, **to_attributes(self.params.arguments)}

    def setup(self, **kwargs: Any) -> None:
        """Set up the body (and its descendants) with the tree's setup arguments."""
        for node in self.body.iterate():
            node.setup(**kwargs)

    def poll(self) -> tuple[Status, str]:
        self.body.tick_once()
        return self.body.status, self.body.feedback_message or self.body.status.value

    def halt(self) -> None:
        if self.body.status == Status.RUNNING:
            self.body.stop(Status.INVALID)
