"""User tools: show, report, diff, export, bench."""
