"""The meeting scheduler of events: plain Python, numpy and OR-Tools, no Django.

`slots.event_slots` turns an event's days and blocks into numbered slots; `solver.solve` assigns
accepted meeting requests to (slot, table) and reports the result against an upper bound.
"""
