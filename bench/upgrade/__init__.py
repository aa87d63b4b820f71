"""A stand-in for the next release's migrations, used only by bench/upgrade_fault.py (bench/settings_upgrade.py):
the first one succeeds, the second fails halfway through, as a data migration that meets unexpected data."""
