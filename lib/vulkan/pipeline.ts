// A compute pipeline built from a checked-in SPIR-V file, with its descriptor layout and a
// small pool of descriptor sets.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pack, packArray } from "../../ffi/struct";
import * as vk from "../../ffi/vulkan";
import { InvalidArgumentError, UseAfterDisposeError } from "../errors";
import { checkVk, type VulkanContext } from "./context";

export const SHADER_DIR = join(import.meta.dir, "..", "..", "shaders");

/**
 * "sampled-image": a combined image sampler with the pipeline's own nearest, clamp-to-edge sampler,
 * or `sampler` (immutable too; its owner keeps it alive: a YCbCr-conversion sampler, which must be immutable).
 * `count`: an array of that many descriptors (default 1).
 */
export type Binding = { type: "storage-buffer" | "sampled-image"; count?: number; sampler?: bigint | undefined };

/** Descriptors one YCbCr-sampled image may take in a pool (one per plane, at most 3). */
const YCBCR_DESCRIPTORS = 3;

const DESCRIPTOR_TYPES: Record<Binding["type"], number> = {
  "storage-buffer": vk.DescriptorType.STORAGE_BUFFER,
  "sampled-image": vk.DescriptorType.COMBINED_IMAGE_SAMPLER,
};
/**
 * The sampler every pass reads images through: nearest texels, clamped at the edges (texelFetch
 * ignores it; the YCbCr path samples at pixel centres). Shared by the plain and the YCbCr samplers.
 */
export const NEAREST_CLAMPED_SAMPLER = {
  magFilter: 0 /* NEAREST */,
  minFilter: 0,
  addressModeU: 2 /* CLAMP_TO_EDGE */,
  addressModeV: 2,
  addressModeW: 2,
  maxAnisotropy: 1,
} as const;
/** `element`: the array element of the binding (default 0). */
export type BufferWrite = {
  binding: number;
  element?: number;
  buffer: bigint;
  offset?: number;
  range?: bigint | number;
};
export type ImageWrite = { binding: number; element?: number; view: bigint };

export class ComputePipeline implements Disposable {
  readonly setLayout: bigint;
  readonly layout: bigint;
  readonly pipeline: bigint;
  readonly pool: bigint;
  private sampler = 0n;
  private readonly sets: bigint[] = [];
  private released = false;

  constructor(
    readonly ctx: VulkanContext,
    spvName: string,
    readonly bindings: Binding[],
    readonly pushConstantBytes: number,
    maxSets = 8,
    /** 32-bit specialization constants, constant_id 0, 1, ... (e.g. a shader's workgroup size). */
    specialization: readonly number[] = [],
  ) {
    ctx.retain(`ComputePipeline ${spvName}`);
    const { dev, device } = ctx;
    const out = Buffer.alloc(8);
    const code = readFileSync(join(SHADER_DIR, spvName));
    checkVk(
      dev.vkCreateShaderModule(
        device,
        pack(vk.VkShaderModuleCreateInfo, {
          sType: vk.SType.SHADER_MODULE_CREATE_INFO,
          codeSize: code.length,
          pCode: code,
        }),
        null,
        out,
      ),
      "vkCreateShaderModule",
      spvName,
    );
    const module = out.readBigUInt64LE(0);
    try {
      const typeOf = (b: Binding) => DESCRIPTOR_TYPES[b.type];
      if (bindings.some((b) => b.type === "sampled-image" && b.sampler === undefined)) {
        checkVk(
          dev.vkCreateSampler(
            device,
            pack(vk.VkSamplerCreateInfo, {
              sType: vk.SType.SAMPLER_CREATE_INFO,
              ...NEAREST_CLAMPED_SAMPLER,
            }),
            null,
            out,
          ),
          "vkCreateSampler",
        );
        this.sampler = out.readBigUInt64LE(0);
      }
      // Immutable samplers: one handle per array element (kept referenced until the layout exists).
      const samplerArrays = bindings.map((b) =>
        b.type === "sampled-image" ? new BigUint64Array(b.count ?? 1).fill(b.sampler ?? this.sampler) : null,
      );
      const layoutBindings = packArray(
        vk.VkDescriptorSetLayoutBinding,
        bindings.map((b, i) => ({
          binding: i,
          descriptorType: typeOf(b),
          descriptorCount: b.count ?? 1,
          stageFlags: vk.ShaderStage.COMPUTE,
          pImmutableSamplers: samplerArrays[i] ?? null,
        })),
      );
      checkVk(
        dev.vkCreateDescriptorSetLayout(
          device,
          pack(vk.VkDescriptorSetLayoutCreateInfo, {
            sType: vk.SType.DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
            bindingCount: bindings.length,
            pBindings: layoutBindings,
          }),
          null,
          out,
        ),
        "vkCreateDescriptorSetLayout",
      );
      this.setLayout = out.readBigUInt64LE(0);
      const setLayouts = Buffer.alloc(8);
      setLayouts.writeBigUInt64LE(this.setLayout);
      const range = pack(vk.VkPushConstantRange, {
        stageFlags: vk.ShaderStage.COMPUTE,
        offset: 0,
        size: pushConstantBytes,
      });
      checkVk(
        dev.vkCreatePipelineLayout(
          device,
          pack(vk.VkPipelineLayoutCreateInfo, {
            sType: vk.SType.PIPELINE_LAYOUT_CREATE_INFO,
            setLayoutCount: 1,
            pSetLayouts: setLayouts,
            pushConstantRangeCount: pushConstantBytes ? 1 : 0,
            pPushConstantRanges: range,
          }),
          null,
          out,
        ),
        "vkCreatePipelineLayout",
      );
      this.layout = out.readBigUInt64LE(0);
      const main = Buffer.from("main\0");
      const constants = new Uint32Array(specialization);
      const entries = packArray(
        vk.VkSpecializationMapEntry,
        specialization.map((_, i) => ({ constantID: i, offset: 4 * i, size: 4 })),
      );
      const specializationInfo = specialization.length
        ? pack(vk.VkSpecializationInfo, {
            mapEntryCount: specialization.length,
            pMapEntries: entries,
            dataSize: constants.byteLength,
            pData: constants,
          })
        : null;
      const info = pack(vk.VkComputePipelineCreateInfo, {
        sType: vk.SType.COMPUTE_PIPELINE_CREATE_INFO,
        stage: {
          sType: vk.SType.PIPELINE_SHADER_STAGE_CREATE_INFO,
          stage: vk.ShaderStage.COMPUTE,
          module,
          pName: main,
          pSpecializationInfo: specializationInfo,
        },
        layout: this.layout,
        basePipelineIndex: -1,
      });
      checkVk(dev.vkCreateComputePipelines(device, 0n, 1, info, null, out), "vkCreateComputePipelines", spvName);
      this.pipeline = out.readBigUInt64LE(0);
      const counts = new Map<number, number>();
      for (const b of bindings)
        counts.set(
          typeOf(b),
          (counts.get(typeOf(b)) ?? 0) + (b.count ?? 1) * maxSets * (b.sampler === undefined ? 1 : YCBCR_DESCRIPTORS),
        );
      const sizes = packArray(
        vk.VkDescriptorPoolSize,
        [...counts].map(([type, descriptorCount]) => ({ type, descriptorCount })),
      );
      checkVk(
        dev.vkCreateDescriptorPool(
          device,
          pack(vk.VkDescriptorPoolCreateInfo, {
            sType: vk.SType.DESCRIPTOR_POOL_CREATE_INFO,
            maxSets,
            poolSizeCount: counts.size,
            pPoolSizes: sizes,
          }),
          null,
          out,
        ),
        "vkCreateDescriptorPool",
      );
      this.pool = out.readBigUInt64LE(0);
      const alloc = pack(vk.VkDescriptorSetAllocateInfo, {
        sType: vk.SType.DESCRIPTOR_SET_ALLOCATE_INFO,
        descriptorPool: this.pool,
        descriptorSetCount: 1,
        pSetLayouts: setLayouts,
      });
      for (let i = 0; i < maxSets; i++) {
        checkVk(dev.vkAllocateDescriptorSets(device, alloc, out), "vkAllocateDescriptorSets");
        this.sets.push(out.readBigUInt64LE(0));
      }
    } catch (e) {
      this[Symbol.dispose]();
      throw e;
    } finally {
      dev.vkDestroyShaderModule(device, module, null);
    }
  }

  /** Descriptor set `slot` (0..maxSets-1), updated with the given resources. */
  bind(slot: number, buffers: BufferWrite[], images: ImageWrite[] = []): bigint {
    if (this.released) throw new UseAfterDisposeError("ComputePipeline", "ComputePipeline.bind");
    const set = this.sets[slot];
    if (set === undefined)
      throw new InvalidArgumentError(
        "descriptor slot",
        `${slot}; this pipeline has ${this.sets.length} (0 to ${this.sets.length - 1})`,
      );
    const keep: Buffer[] = [];
    const writes = [
      ...buffers.map((b) => {
        const info = pack(vk.VkDescriptorBufferInfo, {
          buffer: b.buffer,
          offset: b.offset ?? 0,
          range: b.range ?? vk.VK_WHOLE_SIZE,
        });
        keep.push(info);
        return {
          sType: vk.SType.WRITE_DESCRIPTOR_SET,
          dstSet: set,
          dstBinding: b.binding,
          dstArrayElement: b.element ?? 0,
          descriptorCount: 1,
          descriptorType: vk.DescriptorType.STORAGE_BUFFER,
          pBufferInfo: info,
        };
      }),
      ...images.map((im) => {
        const info = pack(vk.VkDescriptorImageInfo, { imageView: im.view, imageLayout: vk.ImageLayout.GENERAL });
        keep.push(info);
        return {
          sType: vk.SType.WRITE_DESCRIPTOR_SET,
          dstSet: set,
          dstBinding: im.binding,
          dstArrayElement: im.element ?? 0,
          descriptorCount: 1,
          descriptorType: DESCRIPTOR_TYPES[this.bindings[im.binding]!.type],
          pImageInfo: info,
        };
      }),
    ];
    this.ctx.dev.vkUpdateDescriptorSets(
      this.ctx.device,
      writes.length,
      packArray(vk.VkWriteDescriptorSet, writes),
      0,
      null,
    );
    return set;
  }

  /** Record bind + push constants + dispatch. */
  recordDispatch(cmd: number, set: bigint, push: ArrayBufferView, groups: [number, number, number]): void {
    if (this.released) throw new UseAfterDisposeError("ComputePipeline", "ComputePipeline.recordDispatch");
    const { dev } = this.ctx;
    dev.vkCmdBindPipeline(cmd, 1 /* COMPUTE */, this.pipeline);
    const sets = Buffer.alloc(8);
    sets.writeBigUInt64LE(set);
    dev.vkCmdBindDescriptorSets(cmd, 1, this.layout, 0, 1, sets, 0, null);
    if (this.pushConstantBytes)
      dev.vkCmdPushConstants(cmd, this.layout, vk.ShaderStage.COMPUTE, 0, this.pushConstantBytes, push);
    dev.vkCmdDispatch(cmd, ...groups);
  }

  [Symbol.dispose](): void {
    if (this.released) return;
    this.released = true;
    const { dev, device } = this.ctx;
    if (this.pool) dev.vkDestroyDescriptorPool(device, this.pool, null);
    if (this.pipeline) dev.vkDestroyPipeline(device, this.pipeline, null);
    if (this.layout) dev.vkDestroyPipelineLayout(device, this.layout, null);
    if (this.setLayout) dev.vkDestroyDescriptorSetLayout(device, this.setLayout, null);
    if (this.sampler) dev.vkDestroySampler(device, this.sampler, null);
    this.ctx.release();
  }
}
