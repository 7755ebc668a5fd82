// Reading a multi-planar image (a whole NV12/P010/YUV420 frame imported as one VkImage) through a
// sampler with a VkSamplerYcbcrConversion, as wlroots and gamescope read two-plane dmabufs. The
// conversion does no maths of its own (identity model, full range): at a pixel's centre it returns
// that pixel's luma and, with chroma sited at the midpoint and nearest filtering, the chroma
// sample (x/2, y/2), as G (Y), B (Cb) and R (Cr). The shaders then apply the frame's matrix and
// range exactly as for plane images, so both paths give the same bytes.
import { pack } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { checkVk, type VulkanContext } from "./context";
import { NEAREST_CLAMPED_SAMPLER } from "./pipeline";

export type YcbcrSampler = { conversion: bigint; sampler: bigint };

/** One conversion and sampler per multi-planar format, made on first use. Owned by its VulkanContext, released with it. */
export class YcbcrSamplers implements Disposable {
  private readonly byFormat = new Map<string, YcbcrSampler>();

  constructor(private readonly ctx: VulkanContext) {}

  get(format: string): YcbcrSampler {
    const known = this.byFormat.get(format);
    if (known) return known;
    const { dev, device } = this.ctx;
    const out = Buffer.alloc(8);
    checkVk(
      dev.vkCreateSamplerYcbcrConversion(
        device,
        pack(vk.VkSamplerYcbcrConversionCreateInfo, {
          sType: vk.SType.SAMPLER_YCBCR_CONVERSION_CREATE_INFO,
          format: vk.VkFormat[format as vk.VkFormatName],
          ycbcrModel: vk.Ycbcr.MODEL_RGB_IDENTITY,
          ycbcrRange: vk.Ycbcr.RANGE_ITU_FULL,
          components: [0, 0, 0, 0],
          xChromaOffset: vk.Ycbcr.CHROMA_MIDPOINT,
          yChromaOffset: vk.Ycbcr.CHROMA_MIDPOINT,
          chromaFilter: vk.Ycbcr.FILTER_NEAREST,
        }),
        null,
        out,
      ),
      "vkCreateSamplerYcbcrConversion",
      format,
    );
    const conversion = out.readBigUInt64LE(0);
    const info = pack(vk.VkSamplerYcbcrConversionInfo, { sType: vk.SType.SAMPLER_YCBCR_CONVERSION_INFO, conversion });
    const r = dev.vkCreateSampler(
      device,
      pack(vk.VkSamplerCreateInfo, {
        sType: vk.SType.SAMPLER_CREATE_INFO,
        pNext: info,
        ...NEAREST_CLAMPED_SAMPLER,
      }),
      null,
      out,
    );
    if (r !== 0) dev.vkDestroySamplerYcbcrConversion(device, conversion, null);
    checkVk(r, "vkCreateSampler (YCbCr conversion)", format);
    const made = { conversion, sampler: out.readBigUInt64LE(0) };
    this.byFormat.set(format, made);
    return made;
  }

  /** The pNext a view of a multi-planar image needs to be sampled through this format's conversion. */
  viewInfo(format: string): Buffer {
    return pack(vk.VkSamplerYcbcrConversionInfo, {
      sType: vk.SType.SAMPLER_YCBCR_CONVERSION_INFO,
      conversion: this.get(format).conversion,
    });
  }

  [Symbol.dispose](): void {
    const { dev, device } = this.ctx;
    for (const s of this.byFormat.values()) {
      dev.vkDestroySampler(device, s.sampler, null);
      dev.vkDestroySamplerYcbcrConversion(device, s.conversion, null);
    }
    this.byFormat.clear();
  }
}
