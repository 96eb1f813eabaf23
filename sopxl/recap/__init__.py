"""The receiving office: one recap of many satker workbooks, from files or a mailbox."""
