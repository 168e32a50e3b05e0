"""Time: the Indonesian working-day calendar and the schedule of a request's steps."""
