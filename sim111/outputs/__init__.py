"""What people read: tables, JSON, files written atomically, plots and the
HTML report. Outputs never run the engine."""
