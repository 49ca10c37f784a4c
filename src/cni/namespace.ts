/** The namespace of the CNI plugin (upstream's `linkerd install-cni` default). */
export const CNI_NAMESPACE = 'linkerd-cni';
