"""The planner node's mission journal: opened at start-up (recovering what a killed node left open).

``open_node_journal`` opens the file named by the ``journal_path`` parameter before the node takes
its first command; ``Journal.open`` closes every command a previous process left open as aborted
("process ended before the command finished"), and the node logs how many it closed.
"""

from __future__ import annotations

from rclpy.node import Node

from bt_planner.config import JournalSettings
from bt_planner.journal import Journal


def open_node_journal(node: Node, *, path: str, settings: JournalSettings) -> Journal | None:
    """The journal at ``path`` (None when ``path`` is empty).

    Raises:
        JournalError: the file cannot be opened or is not a journal (the node does not start).
    """
    if not path:
        return None
    journal = Journal.open(path, settings=settings)
    logger = node.get_logger()
    if journal.recovered:
        logger.warning(
            f"journal {path}: closed {len(journal.recovered)} command(s) a previous run left open as aborted "
            f"(ids {journal.recovered})"
        )
    logger.info(f"journalling every command to {path} (run {journal.run_id})")
    return journal
