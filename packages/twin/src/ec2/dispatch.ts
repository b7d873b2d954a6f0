/** The EC2 actions the twin serves. */
import * as account from './account.js';
import * as catalog from './catalog.js';
import type { Handler } from './context.js';
import * as gw from './gateways.js';
import * as actions from './instance-actions.js';
import * as instances from './instances.js';
import * as keys from './keys.js';
import * as sg from './security-groups.js';
import * as tags from './tags.js';
import * as vpcs from './vpcs.js';

export const ACTIONS: Readonly<Record<string, Handler>> = {
  DescribeRegions: catalog.describeRegions,
  DescribeAvailabilityZones: catalog.describeAvailabilityZones,
  DescribeImages: catalog.describeImages,
  DescribeInstanceTypes: catalog.describeInstanceTypes,
  DescribeAccountAttributes: account.describeAccountAttributes,
  DescribeAddresses: account.describeAddresses,
  DescribeVolumes: account.describeVolumes,

  CreateVpc: vpcs.createVpc,
  DescribeVpcs: vpcs.describeVpcs,
  DeleteVpc: vpcs.deleteVpc,
  CreateSubnet: vpcs.createSubnet,
  DescribeSubnets: vpcs.describeSubnets,
  DeleteSubnet: vpcs.deleteSubnet,
  ModifySubnetAttribute: vpcs.modifySubnetAttribute,

  CreateInternetGateway: gw.createInternetGateway,
  AttachInternetGateway: gw.attachInternetGateway,
  DetachInternetGateway: gw.detachInternetGateway,
  DeleteInternetGateway: gw.deleteInternetGateway,
  DescribeInternetGateways: gw.describeInternetGateways,
  CreateRouteTable: gw.createRouteTable,
  DescribeRouteTables: gw.describeRouteTables,
  CreateRoute: gw.createRoute,
  DeleteRoute: gw.deleteRoute,
  AssociateRouteTable: gw.associateRouteTable,
  DisassociateRouteTable: gw.disassociateRouteTable,
  DeleteRouteTable: gw.deleteRouteTable,

  CreateSecurityGroup: sg.createSecurityGroup,
  DescribeSecurityGroups: sg.describeSecurityGroups,
  DeleteSecurityGroup: sg.deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: sg.authorizeSecurityGroupIngress,
  AuthorizeSecurityGroupEgress: sg.authorizeSecurityGroupEgress,
  RevokeSecurityGroupIngress: sg.revokeSecurityGroupIngress,
  RevokeSecurityGroupEgress: sg.revokeSecurityGroupEgress,

  ImportKeyPair: keys.importKeyPair,
  DescribeKeyPairs: keys.describeKeyPairs,
  DeleteKeyPair: keys.deleteKeyPair,

  RunInstances: instances.runInstances,
  DescribeInstances: instances.describeInstances,
  DescribeInstanceStatus: actions.describeInstanceStatus,
  StartInstances: actions.startInstances,
  StopInstances: actions.stopInstances,
  RebootInstances: actions.rebootInstances,
  TerminateInstances: actions.terminateInstances,
  ModifyInstanceAttribute: actions.modifyInstanceAttribute,

  CreateTags: tags.createTags,
  DeleteTags: tags.deleteTags,
  DescribeTags: tags.describeTags,
};
