.PHONY: run test bench
run:
	bash scripts/run
test:
	bash scripts/test
bench:
	.venv/bin/python -m bench.run --size $(or $(SIZE),S)
