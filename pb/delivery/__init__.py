"""From vote to delivery: what happened to each adopted project, who co-produced it, and what it delivered."""
