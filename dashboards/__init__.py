"""The Solara dashboard: compare scenarios, explore sweeps, run a live workshop."""
