/* eslint-disable */
import * as types from './graphql.ts';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation ThinkingChat($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      text\n      thinking\n      finishReason\n      toolCalls {\n        id\n        name\n        arguments\n      }\n      usage {\n        completionTokens\n      }\n    }\n  }\n": typeof types.ThinkingChatDocument,
    "\n  subscription ThinkingStream($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      delta\n      thinking\n      done\n      finishReason\n      toolCalls {\n        name\n        arguments\n      }\n    }\n  }\n": typeof types.ThinkingStreamDocument,
    "\n  subscription UsageEvents {\n    usageEvents {\n      id\n      apiKeyId\n      model\n      surface\n      endpoint\n      status\n      totalTokens\n    }\n  }\n": typeof types.UsageEventsDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      name\n      role\n      tier\n      requestsPerMinute\n      status\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  query ApiKeys($filter: ApiKeyFilter, $limit: Int, $offset: Int) {\n    apiKeys(filter: $filter, limit: $limit, offset: $offset) {\n      totalCount\n      hasNextPage\n      nodes {\n        id\n        name\n        prefix\n        status\n      }\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  query ApiKeyById($id: ID!) {\n    apiKey(id: $id) {\n      id\n      name\n    }\n  }\n": typeof types.ApiKeyByIdDocument,
    "\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n        role\n        tier\n        rpmLimit\n        requestsPerMinute\n        allowedModels\n        status\n      }\n    }\n  }\n": typeof types.CreateKeyDocument,
    "\n  mutation UpdateKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) {\n      id\n      name\n      tier\n      rpmLimit\n      tpmLimit\n      requestsPerMinute\n      expiresAt\n    }\n  }\n": typeof types.UpdateKeyDocument,
    "\n  mutation RevokeKey($input: RevokeApiKeyInput!) {\n    revokeApiKey(input: $input) {\n      id\n      status\n      revokedAt\n    }\n  }\n": typeof types.RevokeKeyDocument,
    "\n  mutation RotateKey($input: RotateApiKeyInput!) {\n    rotateApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        prefix\n        previousSecretExpiresAt\n      }\n    }\n  }\n": typeof types.RotateKeyDocument,
    "\n  query Models($includeInactive: Boolean) {\n    models(includeInactive: $includeInactive) {\n      id\n      name\n      isActive\n      provider\n      temperature\n      details {\n        family\n        parameterSize\n      }\n    }\n  }\n": typeof types.ModelsDocument,
    "\n  query ModelsWithUpstream {\n    models {\n      id\n      upstream\n    }\n  }\n": typeof types.ModelsWithUpstreamDocument,
    "\n  query ModelById($id: ID!) {\n    model(id: $id) {\n      id\n      isActive\n    }\n  }\n": typeof types.ModelByIdDocument,
    "\n  mutation UpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      id\n      name\n      isActive\n      temperature\n    }\n  }\n": typeof types.UpdateModelDocument,
    "\n  mutation SyncModels {\n    syncModels {\n      upstreams {\n        upstream\n        ok\n        seen\n        added\n      }\n      models {\n        id\n      }\n    }\n  }\n": typeof types.SyncModelsDocument,
    "\n  mutation ChatOnce($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      model\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n": typeof types.ChatOnceDocument,
    "\n  mutation GenerateOnce($input: GenerateInput!) {\n    generate(input: $input) {\n      id\n      model\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n": typeof types.GenerateOnceDocument,
    "\n  subscription ChatStream($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      delta\n      done\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n": typeof types.ChatStreamDocument,
    "\n  subscription GenerateStream($input: GenerateInput!) {\n    generate(input: $input) {\n      delta\n      done\n      finishReason\n      usage {\n        totalTokens\n      }\n    }\n  }\n": typeof types.GenerateStreamDocument,
    "\n  query UsageReport($filter: UsageFilter, $interval: UsageInterval) {\n    usage(filter: $filter) {\n      totals {\n        requests\n        errors\n        promptTokens\n        completionTokens\n        totalTokens\n        avgLatencyMs\n        avgTtftMs\n      }\n      byModel {\n        model\n        totals {\n          requests\n        }\n      }\n      byKey {\n        apiKeyId\n        apiKey {\n          name\n        }\n        totals {\n          requests\n          totalTokens\n        }\n      }\n      series(interval: $interval) {\n        start\n        totals {\n          requests\n          totalTokens\n          avgLatencyMs\n          avgTtftMs\n        }\n        byModel {\n          model\n          totals {\n            requests\n          }\n        }\n        byKey {\n          apiKeyId\n          totals {\n            requests\n          }\n        }\n      }\n      recent(limit: 50) {\n        id\n        apiKeyId\n        model\n        surface\n        endpoint\n        status\n        stream\n        totalTokens\n        latencyMs\n        ttftMs\n      }\n    }\n  }\n": typeof types.UsageReportDocument,
    "\n  query KeyUsage {\n    viewer {\n      usage {\n        totals {\n          requests\n        }\n      }\n    }\n  }\n": typeof types.KeyUsageDocument,
    "\n  query ModelLookup($id: ID!) {\n    model(id: $id) {\n      id\n    }\n  }\n": typeof types.ModelLookupDocument,
    "\n  query SchedulerUpstreams {\n    upstreams {\n      id\n      name\n      url\n      state\n      health\n      slots\n      inFlight\n      consecutiveFailures\n      version\n      listedModels\n      loadedModels {\n        name\n      }\n      lastError {\n        message\n      }\n      lastProbeAt\n    }\n  }\n": typeof types.SchedulerUpstreamsDocument,
    "\n  mutation SchedulerAddUpstream($input: AddUpstreamInput!) {\n    addUpstream(input: $input) {\n      id\n      name\n      slots\n    }\n  }\n": typeof types.SchedulerAddUpstreamDocument,
    "\n  mutation SchedulerDrainUpstream($input: DrainUpstreamInput!) {\n    drainUpstream(input: $input) {\n      id\n      state\n    }\n  }\n": typeof types.SchedulerDrainUpstreamDocument,
    "\n  mutation SchedulerDisableUpstream($input: DisableUpstreamInput!) {\n    disableUpstream(input: $input) {\n      id\n      state\n    }\n  }\n": typeof types.SchedulerDisableUpstreamDocument,
    "\n  mutation SchedulerEnableUpstream($input: EnableUpstreamInput!) {\n    enableUpstream(input: $input) {\n      id\n      state\n    }\n  }\n": typeof types.SchedulerEnableUpstreamDocument,
    "\n  mutation SchedulerRemoveUpstream($input: RemoveUpstreamInput!) {\n    removeUpstream(input: $input)\n  }\n": typeof types.SchedulerRemoveUpstreamDocument,
    "\n  query SchedulerKeyWeights($id: ID!) {\n    apiKey(id: $id) {\n      weight\n      effectiveWeight\n      maxConcurrent\n    }\n  }\n": typeof types.SchedulerKeyWeightsDocument,
    "\n  subscription SchedulerQueuedChat($input: ChatInput!) {\n    chat(input: $input) {\n      queuePosition\n      delta\n      done\n    }\n  }\n": typeof types.SchedulerQueuedChatDocument,
    "\n  query SchedulerUsageByServer {\n    usage {\n      byServer {\n        server\n        totals {\n          requests\n        }\n      }\n      recent(limit: 5) {\n        upstream\n        queueWaitMs\n      }\n    }\n  }\n": typeof types.SchedulerUsageByServerDocument,
};
const documents: Documents = {
    "\n  mutation ThinkingChat($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      text\n      thinking\n      finishReason\n      toolCalls {\n        id\n        name\n        arguments\n      }\n      usage {\n        completionTokens\n      }\n    }\n  }\n": types.ThinkingChatDocument,
    "\n  subscription ThinkingStream($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      delta\n      thinking\n      done\n      finishReason\n      toolCalls {\n        name\n        arguments\n      }\n    }\n  }\n": types.ThinkingStreamDocument,
    "\n  subscription UsageEvents {\n    usageEvents {\n      id\n      apiKeyId\n      model\n      surface\n      endpoint\n      status\n      totalTokens\n    }\n  }\n": types.UsageEventsDocument,
    "\n  query Viewer {\n    viewer {\n      id\n      name\n      role\n      tier\n      requestsPerMinute\n      status\n    }\n  }\n": types.ViewerDocument,
    "\n  query ApiKeys($filter: ApiKeyFilter, $limit: Int, $offset: Int) {\n    apiKeys(filter: $filter, limit: $limit, offset: $offset) {\n      totalCount\n      hasNextPage\n      nodes {\n        id\n        name\n        prefix\n        status\n      }\n    }\n  }\n": types.ApiKeysDocument,
    "\n  query ApiKeyById($id: ID!) {\n    apiKey(id: $id) {\n      id\n      name\n    }\n  }\n": types.ApiKeyByIdDocument,
    "\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n        role\n        tier\n        rpmLimit\n        requestsPerMinute\n        allowedModels\n        status\n      }\n    }\n  }\n": types.CreateKeyDocument,
    "\n  mutation UpdateKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) {\n      id\n      name\n      tier\n      rpmLimit\n      tpmLimit\n      requestsPerMinute\n      expiresAt\n    }\n  }\n": types.UpdateKeyDocument,
    "\n  mutation RevokeKey($input: RevokeApiKeyInput!) {\n    revokeApiKey(input: $input) {\n      id\n      status\n      revokedAt\n    }\n  }\n": types.RevokeKeyDocument,
    "\n  mutation RotateKey($input: RotateApiKeyInput!) {\n    rotateApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        prefix\n        previousSecretExpiresAt\n      }\n    }\n  }\n": types.RotateKeyDocument,
    "\n  query Models($includeInactive: Boolean) {\n    models(includeInactive: $includeInactive) {\n      id\n      name\n      isActive\n      provider\n      temperature\n      details {\n        family\n        parameterSize\n      }\n    }\n  }\n": types.ModelsDocument,
    "\n  query ModelsWithUpstream {\n    models {\n      id\n      upstream\n    }\n  }\n": types.ModelsWithUpstreamDocument,
    "\n  query ModelById($id: ID!) {\n    model(id: $id) {\n      id\n      isActive\n    }\n  }\n": types.ModelByIdDocument,
    "\n  mutation UpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      id\n      name\n      isActive\n      temperature\n    }\n  }\n": types.UpdateModelDocument,
    "\n  mutation SyncModels {\n    syncModels {\n      upstreams {\n        upstream\n        ok\n        seen\n        added\n      }\n      models {\n        id\n      }\n    }\n  }\n": types.SyncModelsDocument,
    "\n  mutation ChatOnce($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      model\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n": types.ChatOnceDocument,
    "\n  mutation GenerateOnce($input: GenerateInput!) {\n    generate(input: $input) {\n      id\n      model\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n": types.GenerateOnceDocument,
    "\n  subscription ChatStream($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      delta\n      done\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n": types.ChatStreamDocument,
    "\n  subscription GenerateStream($input: GenerateInput!) {\n    generate(input: $input) {\n      delta\n      done\n      finishReason\n      usage {\n        totalTokens\n      }\n    }\n  }\n": types.GenerateStreamDocument,
    "\n  query UsageReport($filter: UsageFilter, $interval: UsageInterval) {\n    usage(filter: $filter) {\n      totals {\n        requests\n        errors\n        promptTokens\n        completionTokens\n        totalTokens\n        avgLatencyMs\n        avgTtftMs\n      }\n      byModel {\n        model\n        totals {\n          requests\n        }\n      }\n      byKey {\n        apiKeyId\n        apiKey {\n          name\n        }\n        totals {\n          requests\n          totalTokens\n        }\n      }\n      series(interval: $interval) {\n        start\n        totals {\n          requests\n          totalTokens\n          avgLatencyMs\n          avgTtftMs\n        }\n        byModel {\n          model\n          totals {\n            requests\n          }\n        }\n        byKey {\n          apiKeyId\n          totals {\n            requests\n          }\n        }\n      }\n      recent(limit: 50) {\n        id\n        apiKeyId\n        model\n        surface\n        endpoint\n        status\n        stream\n        totalTokens\n        latencyMs\n        ttftMs\n      }\n    }\n  }\n": types.UsageReportDocument,
    "\n  query KeyUsage {\n    viewer {\n      usage {\n        totals {\n          requests\n        }\n      }\n    }\n  }\n": types.KeyUsageDocument,
    "\n  query ModelLookup($id: ID!) {\n    model(id: $id) {\n      id\n    }\n  }\n": types.ModelLookupDocument,
    "\n  query SchedulerUpstreams {\n    upstreams {\n      id\n      name\n      url\n      state\n      health\n      slots\n      inFlight\n      consecutiveFailures\n      version\n      listedModels\n      loadedModels {\n        name\n      }\n      lastError {\n        message\n      }\n      lastProbeAt\n    }\n  }\n": types.SchedulerUpstreamsDocument,
    "\n  mutation SchedulerAddUpstream($input: AddUpstreamInput!) {\n    addUpstream(input: $input) {\n      id\n      name\n      slots\n    }\n  }\n": types.SchedulerAddUpstreamDocument,
    "\n  mutation SchedulerDrainUpstream($input: DrainUpstreamInput!) {\n    drainUpstream(input: $input) {\n      id\n      state\n    }\n  }\n": types.SchedulerDrainUpstreamDocument,
    "\n  mutation SchedulerDisableUpstream($input: DisableUpstreamInput!) {\n    disableUpstream(input: $input) {\n      id\n      state\n    }\n  }\n": types.SchedulerDisableUpstreamDocument,
    "\n  mutation SchedulerEnableUpstream($input: EnableUpstreamInput!) {\n    enableUpstream(input: $input) {\n      id\n      state\n    }\n  }\n": types.SchedulerEnableUpstreamDocument,
    "\n  mutation SchedulerRemoveUpstream($input: RemoveUpstreamInput!) {\n    removeUpstream(input: $input)\n  }\n": types.SchedulerRemoveUpstreamDocument,
    "\n  query SchedulerKeyWeights($id: ID!) {\n    apiKey(id: $id) {\n      weight\n      effectiveWeight\n      maxConcurrent\n    }\n  }\n": types.SchedulerKeyWeightsDocument,
    "\n  subscription SchedulerQueuedChat($input: ChatInput!) {\n    chat(input: $input) {\n      queuePosition\n      delta\n      done\n    }\n  }\n": types.SchedulerQueuedChatDocument,
    "\n  query SchedulerUsageByServer {\n    usage {\n      byServer {\n        server\n        totals {\n          requests\n        }\n      }\n      recent(limit: 5) {\n        upstream\n        queueWaitMs\n      }\n    }\n  }\n": types.SchedulerUsageByServerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ThinkingChat($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      text\n      thinking\n      finishReason\n      toolCalls {\n        id\n        name\n        arguments\n      }\n      usage {\n        completionTokens\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ThinkingChat($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      text\n      thinking\n      finishReason\n      toolCalls {\n        id\n        name\n        arguments\n      }\n      usage {\n        completionTokens\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ThinkingStream($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      delta\n      thinking\n      done\n      finishReason\n      toolCalls {\n        name\n        arguments\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ThinkingStream($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      delta\n      thinking\n      done\n      finishReason\n      toolCalls {\n        name\n        arguments\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription UsageEvents {\n    usageEvents {\n      id\n      apiKeyId\n      model\n      surface\n      endpoint\n      status\n      totalTokens\n    }\n  }\n"): (typeof documents)["\n  subscription UsageEvents {\n    usageEvents {\n      id\n      apiKeyId\n      model\n      surface\n      endpoint\n      status\n      totalTokens\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      id\n      name\n      role\n      tier\n      requestsPerMinute\n      status\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      id\n      name\n      role\n      tier\n      requestsPerMinute\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys($filter: ApiKeyFilter, $limit: Int, $offset: Int) {\n    apiKeys(filter: $filter, limit: $limit, offset: $offset) {\n      totalCount\n      hasNextPage\n      nodes {\n        id\n        name\n        prefix\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys($filter: ApiKeyFilter, $limit: Int, $offset: Int) {\n    apiKeys(filter: $filter, limit: $limit, offset: $offset) {\n      totalCount\n      hasNextPage\n      nodes {\n        id\n        name\n        prefix\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeyById($id: ID!) {\n    apiKey(id: $id) {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  query ApiKeyById($id: ID!) {\n    apiKey(id: $id) {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n        role\n        tier\n        rpmLimit\n        requestsPerMinute\n        allowedModels\n        status\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        name\n        prefix\n        role\n        tier\n        rpmLimit\n        requestsPerMinute\n        allowedModels\n        status\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) {\n      id\n      name\n      tier\n      rpmLimit\n      tpmLimit\n      requestsPerMinute\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateKey($input: UpdateApiKeyInput!) {\n    updateApiKey(input: $input) {\n      id\n      name\n      tier\n      rpmLimit\n      tpmLimit\n      requestsPerMinute\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeKey($input: RevokeApiKeyInput!) {\n    revokeApiKey(input: $input) {\n      id\n      status\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeKey($input: RevokeApiKeyInput!) {\n    revokeApiKey(input: $input) {\n      id\n      status\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateKey($input: RotateApiKeyInput!) {\n    rotateApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        prefix\n        previousSecretExpiresAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RotateKey($input: RotateApiKeyInput!) {\n    rotateApiKey(input: $input) {\n      secret\n      apiKey {\n        id\n        prefix\n        previousSecretExpiresAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Models($includeInactive: Boolean) {\n    models(includeInactive: $includeInactive) {\n      id\n      name\n      isActive\n      provider\n      temperature\n      details {\n        family\n        parameterSize\n      }\n    }\n  }\n"): (typeof documents)["\n  query Models($includeInactive: Boolean) {\n    models(includeInactive: $includeInactive) {\n      id\n      name\n      isActive\n      provider\n      temperature\n      details {\n        family\n        parameterSize\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModelsWithUpstream {\n    models {\n      id\n      upstream\n    }\n  }\n"): (typeof documents)["\n  query ModelsWithUpstream {\n    models {\n      id\n      upstream\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModelById($id: ID!) {\n    model(id: $id) {\n      id\n      isActive\n    }\n  }\n"): (typeof documents)["\n  query ModelById($id: ID!) {\n    model(id: $id) {\n      id\n      isActive\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      id\n      name\n      isActive\n      temperature\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateModel($input: UpdateModelInput!) {\n    updateModel(input: $input) {\n      id\n      name\n      isActive\n      temperature\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SyncModels {\n    syncModels {\n      upstreams {\n        upstream\n        ok\n        seen\n        added\n      }\n      models {\n        id\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SyncModels {\n    syncModels {\n      upstreams {\n        upstream\n        ok\n        seen\n        added\n      }\n      models {\n        id\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChatOnce($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      model\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ChatOnce($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      model\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GenerateOnce($input: GenerateInput!) {\n    generate(input: $input) {\n      id\n      model\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation GenerateOnce($input: GenerateInput!) {\n    generate(input: $input) {\n      id\n      model\n      text\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ChatStream($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      delta\n      done\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription ChatStream($input: ChatInput!) {\n    chat(input: $input) {\n      id\n      delta\n      done\n      finishReason\n      usage {\n        promptTokens\n        completionTokens\n        totalTokens\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription GenerateStream($input: GenerateInput!) {\n    generate(input: $input) {\n      delta\n      done\n      finishReason\n      usage {\n        totalTokens\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription GenerateStream($input: GenerateInput!) {\n    generate(input: $input) {\n      delta\n      done\n      finishReason\n      usage {\n        totalTokens\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UsageReport($filter: UsageFilter, $interval: UsageInterval) {\n    usage(filter: $filter) {\n      totals {\n        requests\n        errors\n        promptTokens\n        completionTokens\n        totalTokens\n        avgLatencyMs\n        avgTtftMs\n      }\n      byModel {\n        model\n        totals {\n          requests\n        }\n      }\n      byKey {\n        apiKeyId\n        apiKey {\n          name\n        }\n        totals {\n          requests\n          totalTokens\n        }\n      }\n      series(interval: $interval) {\n        start\n        totals {\n          requests\n          totalTokens\n          avgLatencyMs\n          avgTtftMs\n        }\n        byModel {\n          model\n          totals {\n            requests\n          }\n        }\n        byKey {\n          apiKeyId\n          totals {\n            requests\n          }\n        }\n      }\n      recent(limit: 50) {\n        id\n        apiKeyId\n        model\n        surface\n        endpoint\n        status\n        stream\n        totalTokens\n        latencyMs\n        ttftMs\n      }\n    }\n  }\n"): (typeof documents)["\n  query UsageReport($filter: UsageFilter, $interval: UsageInterval) {\n    usage(filter: $filter) {\n      totals {\n        requests\n        errors\n        promptTokens\n        completionTokens\n        totalTokens\n        avgLatencyMs\n        avgTtftMs\n      }\n      byModel {\n        model\n        totals {\n          requests\n        }\n      }\n      byKey {\n        apiKeyId\n        apiKey {\n          name\n        }\n        totals {\n          requests\n          totalTokens\n        }\n      }\n      series(interval: $interval) {\n        start\n        totals {\n          requests\n          totalTokens\n          avgLatencyMs\n          avgTtftMs\n        }\n        byModel {\n          model\n          totals {\n            requests\n          }\n        }\n        byKey {\n          apiKeyId\n          totals {\n            requests\n          }\n        }\n      }\n      recent(limit: 50) {\n        id\n        apiKeyId\n        model\n        surface\n        endpoint\n        status\n        stream\n        totalTokens\n        latencyMs\n        ttftMs\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query KeyUsage {\n    viewer {\n      usage {\n        totals {\n          requests\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query KeyUsage {\n    viewer {\n      usage {\n        totals {\n          requests\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ModelLookup($id: ID!) {\n    model(id: $id) {\n      id\n    }\n  }\n"): (typeof documents)["\n  query ModelLookup($id: ID!) {\n    model(id: $id) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SchedulerUpstreams {\n    upstreams {\n      id\n      name\n      url\n      state\n      health\n      slots\n      inFlight\n      consecutiveFailures\n      version\n      listedModels\n      loadedModels {\n        name\n      }\n      lastError {\n        message\n      }\n      lastProbeAt\n    }\n  }\n"): (typeof documents)["\n  query SchedulerUpstreams {\n    upstreams {\n      id\n      name\n      url\n      state\n      health\n      slots\n      inFlight\n      consecutiveFailures\n      version\n      listedModels\n      loadedModels {\n        name\n      }\n      lastError {\n        message\n      }\n      lastProbeAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SchedulerAddUpstream($input: AddUpstreamInput!) {\n    addUpstream(input: $input) {\n      id\n      name\n      slots\n    }\n  }\n"): (typeof documents)["\n  mutation SchedulerAddUpstream($input: AddUpstreamInput!) {\n    addUpstream(input: $input) {\n      id\n      name\n      slots\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SchedulerDrainUpstream($input: DrainUpstreamInput!) {\n    drainUpstream(input: $input) {\n      id\n      state\n    }\n  }\n"): (typeof documents)["\n  mutation SchedulerDrainUpstream($input: DrainUpstreamInput!) {\n    drainUpstream(input: $input) {\n      id\n      state\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SchedulerDisableUpstream($input: DisableUpstreamInput!) {\n    disableUpstream(input: $input) {\n      id\n      state\n    }\n  }\n"): (typeof documents)["\n  mutation SchedulerDisableUpstream($input: DisableUpstreamInput!) {\n    disableUpstream(input: $input) {\n      id\n      state\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SchedulerEnableUpstream($input: EnableUpstreamInput!) {\n    enableUpstream(input: $input) {\n      id\n      state\n    }\n  }\n"): (typeof documents)["\n  mutation SchedulerEnableUpstream($input: EnableUpstreamInput!) {\n    enableUpstream(input: $input) {\n      id\n      state\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SchedulerRemoveUpstream($input: RemoveUpstreamInput!) {\n    removeUpstream(input: $input)\n  }\n"): (typeof documents)["\n  mutation SchedulerRemoveUpstream($input: RemoveUpstreamInput!) {\n    removeUpstream(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SchedulerKeyWeights($id: ID!) {\n    apiKey(id: $id) {\n      weight\n      effectiveWeight\n      maxConcurrent\n    }\n  }\n"): (typeof documents)["\n  query SchedulerKeyWeights($id: ID!) {\n    apiKey(id: $id) {\n      weight\n      effectiveWeight\n      maxConcurrent\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SchedulerQueuedChat($input: ChatInput!) {\n    chat(input: $input) {\n      queuePosition\n      delta\n      done\n    }\n  }\n"): (typeof documents)["\n  subscription SchedulerQueuedChat($input: ChatInput!) {\n    chat(input: $input) {\n      queuePosition\n      delta\n      done\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SchedulerUsageByServer {\n    usage {\n      byServer {\n        server\n        totals {\n          requests\n        }\n      }\n      recent(limit: 5) {\n        upstream\n        queueWaitMs\n      }\n    }\n  }\n"): (typeof documents)["\n  query SchedulerUsageByServer {\n    usage {\n      byServer {\n        server\n        totals {\n          requests\n        }\n      }\n      recent(limit: 5) {\n        upstream\n        queueWaitMs\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;