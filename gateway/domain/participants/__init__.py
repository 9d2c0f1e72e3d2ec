"""Participants: queries (visible participants and their enrolments), transfers, unfunded mentors, schedules."""
