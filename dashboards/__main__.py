from dashboards.cli import app

app()
