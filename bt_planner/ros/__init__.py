"""ROS 2 adapters: nodes, topic leaves, the ROS robot adapter, snapshot stream and launch.

Nothing outside this package imports it, and importing ``bt_planner`` never loads rclpy. Modules that
need rclpy import it at module level, so import them only where ROS 2 is installed (``pip install
'bt_planner[ros]'`` or a sourced ROS 2 distro). Pure-Python pieces (topic table, JSON payloads, launch
description, process supervision) import without rclpy.
"""
