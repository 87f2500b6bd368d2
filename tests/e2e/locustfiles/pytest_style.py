"""A pytest-style locustfile (Locust 2.47): tests that take the session fixtures, and no User class."""


def test_browse(session):
    session.get("/products").raise_for_status()
    session.get("/nothing-here")  # 404: a failure in the statistics, and the test goes on


def test_search(fastsession):
    with fastsession.get("/products?q=phone", catch_response=True) as response:
        if "products" not in response.text:
            response.failure("no products in the answer")
