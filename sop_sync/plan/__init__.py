"""What a request should look like in a tracker, and the ordered changes that get it there.

load → schedule → **desired state → diff → stages** → apply (the last step is ``app``'s).
"""
