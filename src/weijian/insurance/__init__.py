"""Health-financing scheme (新农合): policies and claim settlement."""
