from pathlib import Path

# The repository's root (tests live in folders that mirror the house, at varying depths).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
