"""Registry of user-defined actions: their parameter model, description and behaviour factory.

Registered actions appear in the JSON schema and the prompt; a plan naming an unregistered custom
action fails validation. The registry is an explicit object (no module-level global), so two
planners in one process can have different actions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from bt_planner.plans.actions import CustomParams

BehaviourFactory = Callable[..., Any]
"""Called by the tree compiler as ``factory(name=..., params=..., robot=...)`` to build a leaf."""


@dataclass(frozen=True)
class CustomActionSpec:
    """One registered custom action: its name, parameter model, prompt description and behaviour factory."""

    name: str
    params_model: type[BaseModel]
    description: str
    behaviour_factory: BehaviourFactory | None = None


class CustomActionRegistry:
    """Named custom actions. ``register`` is the only way in; names are unique."""

    def __init__(self) -> None:
        self._specs: dict[str, CustomActionSpec] = {}

    def register(
        self,
        name: str,
        params_model: type[BaseModel],
        description: str,
        behaviour_factory: BehaviourFactory | None = None,
    ) -> CustomActionSpec:
        """Register a custom action.

        Args:
            name: the action's name, an identifier; it appears in the schema and the prompt.
            params_model: the pydantic model its parameters must validate against.
            description: one line for the prompt, saying what the action does.
            behaviour_factory: builds the py_trees behaviour that runs it (``CustomAction`` leaf).

        Returns:
            The registered spec.

        Raises:
            ValueError: the name is not an identifier, is taken, or its model uses the key ``name``.
        """
        if not name.isidentifier():
            raise ValueError(f"custom action name {name!r} must be an identifier")
        if name in self._specs:
            raise ValueError(f"custom action {name!r} is already registered")
        if "name" in params_model.model_fields:
            raise ValueError(f"custom action {name!r}: its parameters may not use the key 'name'")
        spec = CustomActionSpec(name, params_model, description, behaviour_factory)
        self._specs[name] = spec
        return spec

    def get(self, name: str) -> CustomActionSpec | None:
        """The spec registered as ``name``, if any."""
        return self._specs.get(name)

    def names(self) -> tuple[str, ...]:
        """Registered names, sorted."""
        return tuple(sorted(self._specs))

    def __iter__(self) -> Iterator[CustomActionSpec]:
        return iter(self._specs[name] for name in self.names())

    def __len__(self) -> int:
        return len(self._specs)

    def validate_params(self, params: CustomParams) -> CustomParams:
        """Check a custom step's arguments against its registered model; raise ``ValueError`` if not."""
        spec = self._specs.get(params.name)
        if spec is None:
            known = ", ".join(self.names()) or "none"
            raise ValueError(f"custom action {params.name!r} is not registered (registered: {known})")
        try:
            typed = spec.params_model.model_validate(params.arguments)
        except ValidationError as error:
            details = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in error.errors()
            )
            raise ValueError(f"custom action {params.name!r}: {details}") from None
        return CustomParams(name=params.name, **typed.model_dump(mode="json"))

    def typed_params(self, params: CustomParams) -> BaseModel:
        """The arguments as an instance of the registered parameter model."""
        spec = self._specs[params.name]
        return spec.params_model.model_validate(params.arguments)
