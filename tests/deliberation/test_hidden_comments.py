"""A hidden comment's text is shown to no one but staff, on every page that shows comments (issue 18)."""

from __future__ import annotations

from pb.deliberation import services
from pb.deliberation.forms import CommentInput

SECRET = "Call 555-0100 for the leaked plans"


def test_a_hidden_comment_is_readable_nowhere_but_by_staff(client, db, login, make_user, make_process, make_project):
    author = make_user(display_name="Author")
    process = make_process(vote_in_days=10)
    project = make_project(process, status="on_ballot", author=author)
    comment = services.add_comment(author, project, CommentInput(SECRET, None))
    db.session.commit()
    clerk = make_user(role="clerk")
    services.hide_comment(clerk, comment, "Personal data")
    db.session.commit()
    reader = make_user()
    pages = [f"/projects/{project.id}", f"/projects/{project.id}?comment={comment.id}",
             f"/projects/{project.id}/discussion", f"/comments/{comment.id}/flag", f"/comments/{comment.id}/reply",
             "/notifications"]
    for who in (reader, author):
        login(who)
        for url in pages:
            response = client.get(url)
            assert SECRET not in response.get_data(as_text=True), (who.display_name, url)
        # The report page (the hole of issue 18) says why it is hidden instead.
        assert "Personal data" in client.get(f"/comments/{comment.id}/flag").get_data(as_text=True)
        edit = client.get(f"/comments/{comment.id}/edit")
        assert edit.status_code in (403, 404) and SECRET not in edit.get_data(as_text=True)
        client.post("/logout")
    login(clerk)
    assert SECRET in client.get(f"/staff/moderation/comments/{comment.id}/hide").get_data(as_text=True)
