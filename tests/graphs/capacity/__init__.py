"""Tests of the capacity-forecast graph."""
