from registry.models import Capability


def test_taxonomy_is_loaded_by_the_data_migration(db):
    assert Capability.objects.count() == 58
    assert Capability.objects.get(code="uav.fpv").name_uk == "Ударні FPV-дрони"
