"""A project's comments come a page of threads at a time, and a link to one comment opens its page."""

from __future__ import annotations

import datetime as dt

from pb.deliberation.models import Comment
from pb.deliberation.queries import THREADS_PER_PAGE, comment_thread


def _seed(db, project, author, roots: int):
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    comments = []
    for i in range(roots):
        root = Comment(project_id=project.id, author_id=author.id, body=f"root {i}",
                       created_at=start + dt.timedelta(minutes=i))
        db.session.add(root)
        db.session.flush()
        reply = Comment(project_id=project.id, author_id=author.id, parent_id=root.id, body=f"reply to {i}",
                        created_at=start + dt.timedelta(days=1, minutes=i))
        db.session.add(reply)
        comments.append((root, reply))
    db.session.commit()
    return comments


def test_threads_are_paged_with_their_replies(app, db, make_process, make_project, make_user):
    project = make_project(make_process(vote_in_days=10), status="on_ballot")
    author = make_user()
    comments = _seed(db, project, author, roots=THREADS_PER_PAGE * 2 + 3)
    with app.test_request_context():
        first = comment_thread(project, author, page=1)
        assert first.pages == 3 and len(first.threads) == THREADS_PER_PAGE
        assert [t.comment.body for t in first.threads][:2] == ["root 0", "root 1"]
        assert all(len(t.replies) == 1 for t in first.threads)
        last = comment_thread(project, author, page=99)
        assert last.page == 3 and len(last.threads) == 3
        # A link to a reply on the second page opens the second page.
        focused = comment_thread(project, author, page=1, focus=comments[THREADS_PER_PAGE + 1][1].id)
        assert focused.page == 2


def test_project_page_shows_one_page_and_links_the_next(client, db, make_process, make_project, make_user):
    project = make_project(make_process(vote_in_days=10), status="on_ballot")
    comments = _seed(db, project, make_user(), roots=THREADS_PER_PAGE + 1)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "root 0" in page and f"root {THREADS_PER_PAGE}" not in page and "Next page" in page
    second = client.get(f"/projects/{project.id}?comments=2").get_data(as_text=True)
    assert f"root {THREADS_PER_PAGE}" in second and "root 0" not in second
    focused = client.get(f"/projects/{project.id}?comment={comments[-1][1].id}").get_data(as_text=True)
    assert f"reply to {THREADS_PER_PAGE}" in focused
