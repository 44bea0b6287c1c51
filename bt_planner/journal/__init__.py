"""The mission journal: every command, its events and exactly one terminal status, in one SQLite file.

``Journal.open(path)`` opens (creates, migrates, recovers) the file; ``MissionJournal(journal)
.attach(mission)`` journals a ``Mission``; ``order_problems(journal)`` checks the events' order.
"""

from bt_planner.journal.entries import ABORTED_REASON, CommandOutcome, JournalCommand, JournalEvent
from bt_planner.journal.event_order import command_problems, order_problems
from bt_planner.journal.journal_file import Journal
from bt_planner.journal.migrations import SCHEMA_VERSION
from bt_planner.journal.mission_journal import MissionJournal

__all__ = [
    "ABORTED_REASON",
    "SCHEMA_VERSION",
    "CommandOutcome",
    "Journal",
    "JournalCommand",
    "JournalEvent",
    "MissionJournal",
    "command_problems",
    "order_problems",
]
