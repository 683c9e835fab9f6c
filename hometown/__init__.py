"""Hometown ties (家乡情): families' livelihood at home (困难帮扶 support cases) and the
hometown support group (后援团) with its contributions (企业回迁、资金回流), yearly campaigns
and the 回馈标兵 they name. A feature app: builds on `members`, never on another feature app."""
