"""wijkteam-kpi: trajectories of the sociaal wijkteam, their KPIs and their audit."""

API_VERSION = "1.0.0"
