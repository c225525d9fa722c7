"""The world fixture and the service start on every backend."""

from onss_tui.services import dto


async def test_identities_list_the_role_holders(service, world) -> None:
    identities = await service.list_identities()
    names = {i.person.full_name for i in identities}
    assert "Anne Peeters" in names and "Sam Support" in names
    assert "Olivier Outsider" not in names
    assert all("*" in i.person.niss_masked for i in identities)


async def test_catalogue_is_data(service, world) -> None:
    catalogue = await service.catalogue(world.lr)
    assert "dimona" in {s.code for s in catalogue.online_services}
    assert isinstance(catalogue, dto.Catalogue)
