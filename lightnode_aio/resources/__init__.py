"""One async class per API resource group, reached as ``client.<group>``."""

from lightnode_aio.resources.images import ImagesResource
from lightnode_aio.resources.instances import InstancesResource
from lightnode_aio.resources.packages import PackagesResource
from lightnode_aio.resources.regions import RegionsResource
from lightnode_aio.resources.security_groups import SecurityGroupsResource
from lightnode_aio.resources.ssh_keys import SSHKeysResource
from lightnode_aio.resources.tasks import TasksResource

__all__ = [
    "ImagesResource",
    "InstancesResource",
    "PackagesResource",
    "RegionsResource",
    "SSHKeysResource",
    "SecurityGroupsResource",
    "TasksResource",
]
