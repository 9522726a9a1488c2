// Placeholder until the sidecar services land (issue 4).
