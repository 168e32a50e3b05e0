"""The SOP as data: model, loading with file:line errors, durations, flow."""
