import { Flags } from '@oclif/core';
import type { ImageListing } from '@cloud-barista/core';
import { BaseCommand } from '../../base-command.js';
import { imageTable } from '../../catalog-render.js';
import { warn } from '../../spec-flags.js';
import { help } from '../../help.js';

export default class ImageList extends BaseCommand<typeof ImageList> {
  static override flags = {
    provider: Flags.string({ multiple: true, summary: 'Only these providers.' }),
    region: Flags.string({ multiple: true, summary: 'Only these regions.' }),
    arch: Flags.string({ summary: 'x86_64 (amd64) or arm64 (aarch64).' }),
    os: Flags.string({ summary: "Alias, OS or name contains this ('ubuntu', '22.04', 'debian-12')." }),
  };

  protected async execute(): Promise<ImageListing> {
    const split = (xs?: string[]) => xs?.flatMap((x) => x.split(',')).filter(Boolean);
    const l = (await this.core()).catalog.listImages({
      ...(this.flags.provider ? { provider: split(this.flags.provider)! } : {}),
      ...(this.flags.region ? { region: split(this.flags.region)! } : {}),
      ...(this.flags.arch ? { arch: this.flags.arch } : {}),
      ...(this.flags.os ? { os: this.flags.os } : {}),
    });
    warn(l.staleWarning);
    return l;
  }

  protected override table(l: ImageListing): string {
    return imageTable(l);
  }
}
help(ImageList, 'image list');
