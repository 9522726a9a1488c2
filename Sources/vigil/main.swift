// Placeholder while the CLI is written; replaced in the CLI commit.
print("vigil")
