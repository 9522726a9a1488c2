print("vigild: not yet")
