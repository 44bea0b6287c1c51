"""``SequenceWithMemory``: BT.CPP's sequence that resumes at the failed child, which py_trees lacks.

py_trees' ``Sequence(memory=True)`` starts over from the first child after a failure (BT.CPP's
``Sequence``); BT.CPP's ``SequenceWithMemory`` does not: once a child has succeeded it is not
ticked again until the whole sequence succeeds.
"""

from __future__ import annotations

import typing

import py_trees
from py_trees.common import Status


class SequenceWithMemory(py_trees.composites.Sequence):
    """A sequence that remembers its children's successes across failures.

    Lifecycle: ``tick`` starts at the child that last failed or ran (the first child after the
    sequence succeeded, or when never ticked); a child's FAILURE fails the sequence and is where
    the next tick resumes; RUNNING is returned as is; after the last child succeeds the sequence
    succeeds and forgets its place. ``stop(INVALID)`` (a halt) keeps the place, as BT.CPP does.
    """

    def __init__(self, name: str, children: list[py_trees.behaviour.Behaviour] | None = None) -> None:
        super().__init__(name=name, memory=True, children=children)
        self.resume_index = 0

    def tick(self) -> typing.Iterator[py_trees.behaviour.Behaviour]:
        if self.status != Status.RUNNING:
            self.initialise()
        if not self.children:
            self.current_child = None
            self.stop(Status.SUCCESS)
            yield self
            return
        index = self.resume_index
        while index < len(self.children):
            child = self.children[index]
            self.current_child = child
            yield from child.tick()
            if child.status != Status.SUCCESS:
                self.resume_index = index
                if child.status == Status.RUNNING:
                    self.status = Status.RUNNING
                else:
                    self.stop(child.status)
                yield self
                return
            index += 1
        self.resume_index = 0
        self.stop(Status.SUCCESS)
        yield self
