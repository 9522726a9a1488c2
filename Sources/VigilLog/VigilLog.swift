// Placeholder until the decision log lands (issue 4).
