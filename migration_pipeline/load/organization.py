"""Departments and locations the plan says to create (the ones Ashby does not have yet), found by name first."""

from __future__ import annotations

from typing import Any

from migration_pipeline.load.engine import Item, LoadContext, Loader
from migration_pipeline.transform.names import name_key

Json = dict[str, Any]


def place_item(object_type: str, name: str) -> Item:
    return Item(
        object_type=object_type, lever_key=name_key(name), payload={"name": name}, lever_type="postings", lever_id=name
    )


class _NamedLoader(Loader):
    list_endpoint = ""
    create_endpoint = ""

    def body(self, item: Item) -> Json:
        return {"name": item.payload["name"]}

    def find_existing(self, ctx: LoadContext, item: Item) -> str | None:
        for found in ctx.client.paginate(self.list_endpoint, {"includeArchived": False}):
            if name_key(found.get("name")) == item.lever_key and not found.get("isArchived"):
                return found["id"]
        return None

    def create(self, ctx: LoadContext, item: Item) -> str:
        existing = self.find_existing(ctx, item)
        if existing is not None:
            return existing
        return ctx.client.write(self.create_endpoint, self.body(item))["id"]


class DepartmentLoader(_NamedLoader):
    object_type = "department"
    list_endpoint = "department.list"
    create_endpoint = "department.create"


class LocationLoader(_NamedLoader):
    object_type = "location"
    list_endpoint = "location.list"
    create_endpoint = "location.create"

    def body(self, item: Item) -> Json:
        name = item.payload["name"]
        remote = "remote" in name.casefold()
        return {"name": name, "type": "Location", "isRemote": remote, **({"workplaceType": "Remote"} if remote else {})}
