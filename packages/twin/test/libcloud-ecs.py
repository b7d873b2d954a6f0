# Apache Libcloud's ECS driver against Cloud-Twin: a client written elsewhere, signing with
# signature v1 (HMAC-SHA1) and asking for XML. Builds a network and two instances through the
# driver's own signed connection, then lists nodes; prints one JSON document.
import json, os, sys, time
from libcloud.compute.drivers.ecs import ECSDriver

host, port = os.environ['ECS_HOST'], int(os.environ['ECS_PORT'])
region = os.environ['ECS_REGION']
d = ECSDriver(os.environ['ECS_KEY'], os.environ['ECS_SECRET'], region=region, secure=False, host=host, port=port)

def call(action, **params):
    params.update({'Action': action, 'RegionId': region})
    return d.connection.request('/', params=params).object

def text(el, path):
    return el.findtext(path)

out = {}
if os.environ.get('ECS_WRONG') == '1':
    try:
        ECSDriver(os.environ['ECS_KEY'], 'not-the-secret', region=region, secure=False, host=host, port=port).list_nodes()
        out['error'] = None
    except Exception as e:
        out['error'] = str(e)
    print(json.dumps(out)); sys.exit(0)

vpc = text(call('CreateVpc', CidrBlock='192.168.0.0/16', VpcName='lc-vpc'), 'VpcId')
zone = d.ex_list_zones()[0].id
vsw = text(call('CreateVSwitch', VpcId=vpc, ZoneId=zone, CidrBlock='192.168.1.0/24'), 'VSwitchId')
sg = text(call('CreateSecurityGroup', VpcId=vpc), 'SecurityGroupId')
image = [i for i in d.list_images() if i.id.startswith('ubuntu_22_04')][0].id
run = call('RunInstances', ImageId=image, InstanceType='ecs.c7.large', VSwitchId=vsw, SecurityGroupId=sg,
           Amount='2', InternetMaxBandwidthOut='5', ClientToken='lc-token-1', **{'Tag.1.Key': 'who', 'Tag.1.Value': 'libcloud'})
ids = [e.text for e in run.findall('InstanceIdSets/InstanceIdSet')]
again = call('RunInstances', ImageId=image, InstanceType='ecs.c7.large', VSwitchId=vsw, SecurityGroupId=sg,
             Amount='2', InternetMaxBandwidthOut='5', ClientToken='lc-token-1', **{'Tag.1.Key': 'who', 'Tag.1.Value': 'libcloud'})
out['ids'] = ids
out['idempotent'] = [e.text for e in again.findall('InstanceIdSets/InstanceIdSet')] == ids
out['sizes'] = [s.id for s in d.list_sizes()]
out['locations'] = [l.id for l in d.list_locations()]
out['zones'] = [z.id for z in d.ex_list_zones()]
deadline = time.time() + 20
nodes = d.list_nodes()
while time.time() < deadline and any(str(n.state) != 'running' for n in nodes):
    time.sleep(0.1)
    nodes = d.list_nodes()
out['nodes'] = [{'id': n.id, 'state': str(n.state), 'public_ips': n.public_ips, 'private_ips': n.private_ips} for n in nodes]
# A second group with a port rule (Permissions.N), read back with Libcloud's attribute call; the
# second node joins it and leaves the first group, and may not leave its last one.
sg2 = text(call('CreateSecurityGroup', VpcId=vpc, SecurityGroupName='lc-web'), 'SecurityGroupId')
call('AuthorizeSecurityGroup', SecurityGroupId=sg2, **{'Permissions.1.IpProtocol': 'tcp', 'Permissions.1.PortRange': '8080/8090', 'Permissions.1.SourceCidrIp': '10.0.0.0/8'})
out['attributes'] = [[a.ip_protocol, a.port_range, a.policy] for a in d.ex_list_security_group_attributes(group_id=sg2)]
node = nodes[1]
out['joined'] = d.ex_join_security_group(node, group_id=sg2)
out['left'] = d.ex_leave_security_group(node, group_id=sg)
groups = lambda: [e.text for e in call('DescribeInstances', InstanceIds=json.dumps([node.id])).findall('Instances/Instance/SecurityGroupIds/SecurityGroupId')]
out['groups'] = groups() == [sg2]
try:
    d.ex_leave_security_group(node, group_id=sg2)
    out['last'] = None
except Exception as e:
    out['last'] = str(e)
call('StopInstance', InstanceId=nodes[0].id)
out['after_stop'] = [str(n.state) for n in d.list_nodes(ex_node_ids=[nodes[0].id])]
print(json.dumps(out))
