/**
 * Nova's `block_device_mapping_v2` for a server that boots from a volume made from an image
 * (`source_type: image, destination_type: volume, boot_index: 0, volume_size`): how clouds give a
 * server a root disk larger than its flavor's. The twin has no block storage service, so the
 * volume lives in the server record (shown as Nova shows it: `image` empty, the volume under
 * `os-extended-volumes:volumes_attached`); sources other than an image are refused.
 */
import { randomUUID } from 'node:crypto';
import type { GlanceImage } from './catalog.js';
import { findImage } from './catalog.js';
import { badRequest } from './errors.js';

const C = 'compute';

export interface RootVolume {
  id: string;
  size: number;
  delete_on_termination: boolean;
}

const invalidBdm = (why: string) => badRequest(C, `Block Device Mapping is Invalid: ${why}`);

/** The image a server boots and, when it boots from a volume, that volume; errors as Nova words them. */
export function bootSource(region: string, body: Record<string, unknown>): { image: GlanceImage; rootVolume?: RootVolume } {
  const imageRef = typeof body.imageRef === 'string' ? body.imageRef : '';
  const bdm = body.block_device_mapping_v2;
  if (bdm === undefined) {
    const image = findImage(region, imageRef);
    if (!image) throw badRequest(C, `Image ${String(body.imageRef)} could not be found.`);
    return { image };
  }
  if (!Array.isArray(bdm) || !bdm.every((d) => typeof d === 'object' && d !== null)) throw badRequest(C, 'Invalid input for field/attribute block_device_mapping_v2: a list of objects expected.');
  const boot = (bdm as Record<string, unknown>[]).find((d) => String(d.boot_index) === '0');
  if (!boot) {
    const image = findImage(region, imageRef);
    if (!image) throw invalidBdm('Boot sequence for the instance and image/block device mapping combination is not valid.');
    return { image };
  }
  if (boot.source_type !== 'image') throw invalidBdm(`source_type ${String(boot.source_type)}: the twin has no block storage service; boot from an image (source_type image).`);
  const uuid = typeof boot.uuid === 'string' ? boot.uuid : '';
  const image = findImage(region, uuid);
  if (!image) throw badRequest(C, `Image ${uuid || '(no uuid)'} could not be found.`);
  if (boot.destination_type !== 'volume') return { image };
  const size = Number(boot.volume_size);
  if (!Number.isInteger(size) || size < 1) throw invalidBdm("Images with destination_type 'volume' need to have a non-zero size specified");
  if (size < image.min_disk) {
    throw badRequest(C, `Volume is smaller than the minimum size specified in image metadata. Volume size is ${size * 2 ** 30} bytes, minimum size is ${image.min_disk * 2 ** 30} bytes.`);
  }
  return { image, rootVolume: { id: randomUUID(), size, delete_on_termination: boot.delete_on_termination === true } };
}
