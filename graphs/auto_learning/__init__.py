"""The auto-learning graph: outcomes and reviews in, versioned learned changes out."""
