"""RL agents and classical baseline allocators behind one Allocator protocol (not built yet)."""
