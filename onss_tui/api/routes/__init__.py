"""The API's routes, one `APIRouter` per area, each route a thin call of the service; `api.main` gathers
them."""
