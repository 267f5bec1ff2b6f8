.PHONY: run test bench
run:
	bash scripts/run
test:
	bash scripts/test
# make bench SIZE=S|M|L (L only on request); make bench-quick for the under-5-minute run
bench:
	bash scripts/bench --size $(or $(SIZE),S)
bench-quick:
	bash scripts/bench --quick
