"""Password reset for staff and volunteers: an e-mail with Django's reset link, or, for a
volunteer with a mobile number and no e-mail address, a single-use SMS link.

It lives in the roof because it needs three layers: the accounts (organisations), the
volunteer's phone (matching.intake) and SMS with signed links (notifications). The floor
cannot import the rooms, and notifications knows nothing of volunteers.
"""
