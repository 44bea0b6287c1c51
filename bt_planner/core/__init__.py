"""The core: geometry, robot state, worlds, plan issues and safety limits.

Everything else builds on these; they import nothing of bt_planner's but each other.
"""
