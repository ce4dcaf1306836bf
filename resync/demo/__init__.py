"""The demo estate, the fake HWA master and the simulated estates of the benchmarks."""
