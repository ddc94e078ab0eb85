"""ModuleBench benchmarks: `make bench` or `.venv/bin/python -m bench`; results in docs/benchmarks.md."""
