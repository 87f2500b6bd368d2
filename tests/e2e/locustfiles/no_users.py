from locust import HttpUser


class Base(HttpUser):
    abstract = True
