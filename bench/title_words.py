"""The word lists the realistic titles of ``bench/titles.py`` are made from: real arXiv ML title
words and phrases, named terms, surname and first-name lists, name parts for short names, and
common abstract words. Each list is in rank order (most frequent first): ``titles.Zipf`` draws
from it with rank-frequency weights. Data only; the generator is ``bench/titles.py``.
"""

from __future__ import annotations

import re


def split_words(text: str) -> list[str]:
    """Comma- or newline-separated entries, in the order written (most frequent first)."""
    return [w.strip() for w in re.split(r"[,\n]", text) if w.strip()]


# Modifiers (adjectives and nouns used as adjectives), most frequent first.
MODIFIERS = split_words(
    """deep, neural, graph, efficient, robust, adversarial, generative, self-supervised,
    scalable, Bayesian, federated, contrastive, unsupervised, multimodal, stochastic,
    convolutional, sparse, online, fast, semi-supervised, probabilistic, hierarchical,
    interpretable, causal, multi-task, continual, latent, visual, temporal, dynamic, optimal,
    linear, differentiable, implicit, variational, recurrent, distributed, private, fair,
    explainable, zero-shot, few-shot, end-to-end, lightweight, adaptive, uncertainty-aware,
    physics-informed, equivariant, geometric, spectral, Gaussian, low-rank, decentralized,
    offline, model-based, hybrid, cross-domain, cross-modal, open-vocabulary, long-tailed, noisy,
    heterogeneous, structured, discrete, continuous, compositional, energy-based, score-based,
    autoregressive, masked, pretrained, fine-grained, weakly-supervised, spatio-temporal,
    attention-based, transformer-based, kernel, nonparametric, nonlinear, convex, non-convex,
    multi-scale, multi-view, multilingual, cross-lingual, conditional, unified, universal, simple,
    provable, certified, secure, trustworthy, sample-efficient, data-efficient,
    parameter-efficient, memory-efficient, communication-efficient, asynchronous, parallel,
    quantum, mixed-precision, binary, quantized, local, global, contextual, relational, symbolic,
    neuro-symbolic, logical, semantic, acoustic, spatial, 3D, point-based, event-based, spiking,
    neuromorphic, invariant, hyperbolic, Riemannian, topological, information-theoretic,
    game-theoretic, statistical, computational, theoretical, empirical, practical, automated,
    interactive, incremental, active, inverse, residual, dense, shallow, wide, overparameterized,
    infinite-width, mean-field, randomized, approximate, exact, accelerated, gradient-based,
    sampling-based, tree-based, rule-based, prototype-based, memory-augmented,
    retrieval-augmented, knowledge-enhanced, instruction-tuned, open-world, open-set, long-range,
    long-context, real-time, on-device, edge, streaming, personalized, collaborative,
    cooperative, safe, constrained, regularized, calibrated, consistent, stable, unbiased,
    debiased, balanced, imbalanced, domain-adaptive, domain-invariant, task-agnostic,
    model-agnostic, label-efficient, annotation-free, training-free, learnable, deformable,
    dilated, gated, token-level, sentence-level, document-level, pixel-level, instance-level,
    object-centric, human-centric, clinical, medical, biomedical, molecular, chemical, physical,
    financial, social, urban, industrial, scientific, mathematical, audio-visual,
    vision-language, text-to-image, sequence-to-sequence, morphological, orthogonal, Lipschitz,
    permutation-invariant, rotation-equivariant, biologically plausible, second-order,
    first-order, zeroth-order, higher-order, multi-fidelity, multi-objective, multi-armed,
    partially observable, non-stationary, heavy-tailed, high-dimensional, low-resource,
    resource-constrained, explicit, amortized, hypernetwork-based"""
)

# Head nouns and noun phrases, most frequent first.
HEADS = split_words(
    """learning, neural networks, models, networks, representations, reinforcement learning,
    language models, optimization, deep learning, estimation, inference, large language models,
    graph neural networks, detection, transformers, segmentation, classification, diffusion
    models, generation, framework, approach, method, algorithms, training, prediction, analysis,
    embeddings, policies, agents, systems, recognition, reasoning, retrieval, alignment,
    adaptation, distillation, compression, federated learning, contrastive learning,
    representation learning, pruning, sampling, planning, control, regression, clustering,
    forecasting, tracking, reconstruction, synthesis, translation, matching, search, discovery,
    exploration, regularization, quantization, attacks, defenses, benchmark, dataset,
    autoencoders, bandits, kernels, graphs, features, priors, objectives, bounds, guarantees,
    dynamics, architectures, encoders, decoders, fields, operators, solvers, processes, flows,
    Gaussian processes, normalizing flows, variational autoencoders, generative adversarial
    networks, neural radiance fields, knowledge graphs, point clouds, time series, mixture of
    experts, state space models, spiking neural networks, vision-language models, foundation
    models, world models, transfer learning, meta-learning, active learning, imitation learning,
    in-context learning, multi-agent reinforcement learning, mixtures, ensembles, trees, forests,
    machines, memory, attention, pretraining, fine-tuning, prompting, editing, unlearning,
    watermarking, calibration, verification, certification, robustness, generalization,
    interpretability, explanations, fairness, privacy, uncertainty, convergence, complexity,
    decomposition, factorization, completion, imputation, augmentation, selection, ranking,
    recommendation, localization, mapping, navigation, manipulation, grasping, locomotion,
    simulation, surrogates, metrics, losses, rewards, gradients, updates, schedules, curricula,
    tokenizers, descriptors, hashing, indexing, routing, scheduling, allocation, pricing, games,
    equilibria, mechanisms, protocols, pipelines, toolkits, accelerators, compilers, circuits,
    states, manifolds, geometry, topology, transport, sketches, embeddings spaces, codebooks,
    adapters, hypernetworks, neural operators, implicit neural representations, capsule networks,
    echo state networks, Hopfield networks, Boltzmann machines, support vector machines, random
    features, decision trees, random forests, boosting, bagging, kernel methods, tensor networks,
    cellular automata, evolutionary algorithms, genetic algorithms, swarm intelligence"""
)

# Tasks and applications, most frequent first.
TASKS = split_words(
    """image classification, object detection, semantic segmentation, machine translation,
    question answering, text classification, speech recognition, time series forecasting,
    anomaly detection, recommendation, drug discovery, molecular property prediction, protein
    structure prediction, autonomous driving, robotic manipulation, medical image segmentation,
    named entity recognition, sentiment analysis, code generation, image generation, video
    understanding, 3D reconstruction, pose estimation, depth estimation, visual question
    answering, image captioning, text-to-image synthesis, node classification, link prediction,
    graph classification, traffic forecasting, weather forecasting, language modeling, dialogue
    systems, information retrieval, summarization, knowledge graph completion, domain
    adaptation, continual learning, few-shot classification, out-of-distribution detection, fraud
    detection, speaker verification, person re-identification, action recognition, optical flow,
    super-resolution, image denoising, image inpainting, style transfer, motion planning, visual
    navigation, portfolio optimization, combinatorial optimization, neural architecture search,
    hyperparameter optimization, causal discovery, survival analysis, clinical prediction, EEG
    decoding, histopathology, remote sensing, hyperspectral imaging, scene graph generation,
    instance segmentation, panoptic segmentation, video prediction, video generation,
    text-to-speech, speech enhancement, speech separation, music generation,
    machine reading comprehension,
    relation extraction, event extraction, entity linking, semantic parsing, program synthesis,
    theorem proving, mathematical reasoning, commonsense reasoning, fact verification,
    hallucination detection, toxicity detection, hate speech detection, misinformation
    detection, stance detection, emotion recognition, facial expression recognition, face
    recognition, gait recognition, handwriting recognition, scene text recognition, document
    understanding, table understanding, chart understanding, visual grounding, referring
    expression comprehension, image retrieval, cross-modal retrieval, video retrieval, dense
    retrieval, open-domain question answering, multi-hop reasoning, retrieval-augmented
    generation, instruction following, preference optimization, reward modeling, red teaming,
    jailbreak detection, membership inference, model extraction, backdoor detection, malware
    detection, intrusion detection, network traffic classification, channel estimation,
    beamforming, power allocation, spectrum sensing, load forecasting, energy disaggregation,
    battery health estimation, fault diagnosis, predictive maintenance, defect detection,
    crop yield prediction, land cover classification, change detection, cloud removal, ship
    detection, wildfire prediction, earthquake detection, climate downscaling, precipitation
    nowcasting, ocean modeling, molecule generation, retrosynthesis, protein design, antibody
    design, docking, virtual screening, single-cell analysis, gene expression prediction,
    variant calling, brain decoding, seizure detection, sleep staging, arrhythmia detection,
    tumor segmentation, lesion detection, polyp segmentation, retinal vessel segmentation,
    skin lesion classification, chest X-ray classification, MRI reconstruction, CT
    reconstruction, dose prediction, radiology report generation, clinical note summarization,
    ICU mortality prediction, sepsis prediction, epidemic forecasting, legal judgment
    prediction, patent classification, credit scoring, stock prediction, algorithmic trading,
    click-through rate prediction, session-based recommendation, sequential recommendation,
    query autocompletion, spelling correction, grammatical error correction, keyphrase
    extraction, topic modeling, authorship attribution, sign language translation, lip reading,
    gaze estimation, hand pose estimation, human motion generation, character animation, garment
    simulation, novel view synthesis, scene completion, SLAM, visual odometry, place
    recognition, loop closure detection, trajectory prediction, multi-object tracking, crowd
    counting, vehicle re-identification, lane detection, traffic sign recognition, drone
    navigation, legged locomotion, dexterous manipulation, peg insertion, cloth folding"""
)

# "On the X of …", "X of … in …"
PROPERTIES = split_words(
    """convergence, robustness, generalization, expressivity, expressive power, sample
    complexity, role, importance, limitations, effectiveness, stability, calibration,
    identifiability, hardness, benefits, power, optimality, implicit bias, inductive bias,
    transferability, scalability, efficiency, consistency, fairness, privacy, interpretability,
    reproducibility, difficulty, dynamics, geometry, landscape, spectrum, rank, sparsity,
    smoothness, capacity, memorization, forgetting, emergence, collapse, vulnerability,
    sensitivity, trade-off, duality, equivalence, connection, relationship, impact, pitfalls,
    failure modes, computational complexity, statistical complexity, minimax rates, regret"""
)

GERUNDS = split_words(
    """Learning, Improving, Scaling, Training, Understanding, Rethinking, Revisiting,
    Benchmarking, Evaluating, Exploring, Leveraging, Enhancing, Boosting, Accelerating,
    Mitigating, Unifying, Bridging, Disentangling, Distilling, Characterizing, Quantifying,
    Measuring, Detecting, Generating, Predicting, Estimating, Optimizing, Modeling, Explaining,
    Interpreting, Aligning, Adapting, Compressing, Pruning, Sampling, Probing, Steering,
    Controlling, Teaching, Unlocking, Harnessing, Taming, Demystifying, Simplifying,
    Regularizing, Stabilizing, Certifying, Verifying, Auditing, Debiasing, Personalizing"""
)

LEADS = split_words(
    """Rethinking, Revisiting, Understanding, Benchmarking, Demystifying, Unifying, Scaling,
    Towards Understanding, A Closer Look at, An Empirical Study of, A Survey on, A Theory of,
    Lessons from, Beyond, Dissecting, Evaluating"""
)

SINGULAR_HEADS = split_words(
    """framework, approach, method, benchmark, dataset, survey, study, model, perspective,
    analysis, algorithm, library, toolkit, baseline, theory, case study, unified view,
    position paper, comparison, recipe"""
)

# Named terms and domain words: the rarer end of real titles, most frequent first.
DOMAIN = split_words(
    """Wasserstein, Koopman, Hamiltonian, Lagrangian, Sinkhorn, Langevin, Ising, Hopfield,
    Markovian, Dirichlet, Poisson, Laplacian, Fourier, wavelet, Chebyshev, Hessian, Jacobian,
    Sobolev, Hilbert, Banach, Stein, Kalman, Gibbs, Metropolis, Monte Carlo, Thompson, Bellman,
    Nash, Shapley, Bregman, Mahalanobis, Hellinger, Kullback-Leibler, Rényi, Fisher, PAC-Bayesian,
    Rademacher, Kolmogorov, Gromov-Wasserstein, Procrustes, Grassmannian, Stiefel, Lie group,
    Clifford, quaternion, tensor, Tucker, hypergraph, simplicial, sheaf, persistent homology,
    Morse, Voronoi, Delaunay, spline, Bézier, Radon, Hough, Gabor, retinal, glioma, mammography,
    echocardiography, dermoscopy, colonoscopy, endoscopy, radiotherapy, Alzheimer's, Parkinson's,
    sepsis, COVID-19, pneumonia, tuberculosis, malaria, diabetic retinopathy, ECG, EEG, fMRI,
    MRI, CT, PET, ultrasound, X-ray, LiDAR, radar, sonar, seismic, galaxy, exoplanet, supernova,
    gravitational-wave, cosmological, turbulence, combustion, crystal, polymer, enzyme,
    antibody, peptide, protein-ligand, genome, transcriptomics, single-cell, metagenomics,
    chromatin, microbiome, epidemic, wildfire, earthquake, flood, drought, hurricane, battery,
    photovoltaic, power grid, wind farm, HVAC, traffic, pedestrian, drone, UAV, satellite,
    underwater, agricultural, crop, forest, soil, ocean, glacier, permafrost, stock,
    cryptocurrency, blockchain, auction, poker, chess, Go, Minecraft, Atari, StarCraft,
    Sokoban, Sudoku, legal, patent, tax, insurance, credit, loan, supply chain, warehouse,
    logistics, ride-hailing, e-commerce, advertising, music, dance, poetry, humor, sarcasm,
    meme, code-switching, sign language, braille, handwriting, calligraphy, font, cartoon, anime,
    face, iris, fingerprint, gait, lip, gaze, skeleton, garment, furniture, indoor, outdoor,
    aerial, nighttime, foggy, low-light, HDR, JPEG, tabular, spreadsheet, SQL, Python, Verilog,
    smart contract, Android, malware, phishing, botnet, ransomware, side-channel, backdoor,
    trojan, jailbreak, prompt injection, deepfake, steganography, CAPTCHA, CIFAR-10, ImageNet,
    COCO, MNIST, KITTI, nuScenes, Waymo, ScanNet, ShapeNet, LibriSpeech, SQuAD, GLUE, MIMIC-III,
    UK Biobank, Wikipedia, Reddit, Twitter, GitHub, StackOverflow, Bengali, Swahili, Urdu,
    Vietnamese, Arabic, Chinese, Japanese, Korean, Hindi, Persian, Turkish, Indonesian, Amharic,
    Yoruba, Hausa, Tamil, Telugu, Marathi, Nepali, Sinhala, Khmer, Tibetan, Uyghur, Quechua,
    Basque, Catalan, Welsh, Finnish, Estonian, Hungarian, Polish, Czech, Ukrainian, Greek,
    Hebrew, Icelandic, Maltese, 5G, 6G, IoT, RIS, mmWave, OFDM, MIMO, NOMA, V2X, FPGA, GPU, TPU,
    RISC-V, CUDA, SRAM, DRAM, NAND, memristor, photonic, superconducting, trapped-ion, qubit,
    NISQ, QAOA, VQE, Grover, Shor, Bose-Hubbard, Heisenberg, Schrödinger, Navier-Stokes, Burgers,
    Allen-Cahn, Cahn-Hilliard, Korteweg-de Vries, Helmholtz, Maxwell, Darcy, Stokes, Euler,
    Riccati, Lyapunov, Hamilton-Jacobi, Fokker-Planck, Ornstein-Uhlenbeck, Brownian, Lévy,
    Hawkes, Cox, Weibull, Pareto, Zipf, Benford, Bradley-Terry, Plackett-Luce, Elo, Borda,
    Condorcet, Arrow, Vickrey, Myerson, Stackelberg, Cournot, Bertrand"""
)

PREFIXES = split_words(
    """hyper, neuro, cardio, geo, photo, spectro, electro, thermo, bio, chemo, immuno, micro,
    nano, astro, hydro, cyto, morpho, topo, chrono, radio, seismo, magneto, proto, poly, meta,
    para, iso, hetero, pseudo, quasi, ortho, multi, xeno, aero, baro, cryo, dendro, endo, exo,
    glyco, hemo, histo, kine, litho, meso, myo, oculo, osteo, patho, phono, psycho, pyro,
    rheo, sono, stereo, tele, tribo, volu, zymo, angio, arthro, chromo, dermo, glio, lipo,
    myco, nephro, onco, pneumo, retino, sclero, vaso"""
)
ROOTS = split_words(
    """graph, gram, scop, metr, morph, phon, log, path, plasm, spher, trop, gen, lyt, ton, stat,
    dynam, kinet, lith, cyt, som, mer, top, chrom, phot, mag, therm, crin, derm, fil, flex,
    form, fract, gon, grad, lamin, lum, mod, nom, pher, plan, sect, spect, struct, tact, tens,
    vect, volv"""
)
SUFFIXES = split_words(
    """y, ic, ical, ia, ics, ography, ometry, ation, ity, ism, ine, ase, oid, ous, al, ant,
    ency, ogenesis, olysis, ometric, otropic, ogenic, on, ar, ite"""
)

# Surnames, most frequent first (arXiv's ML author lists: Chinese, Korean, Indian, European …).
SURNAMES = split_words(
    """Wang, Zhang, Li, Liu, Chen, Yang, Zhao, Huang, Wu, Zhou, Xu, Sun, Ma, Zhu, Hu, Guo, He,
    Lin, Gao, Luo, Kim, Lee, Park, Singh, Kumar, Smith, Zheng, Liang, Xie, Song, Tang, Han,
    Feng, Deng, Cao, Peng, Zeng, Xiao, Tian, Dong, Pan, Yuan, Jiang, Cai, Yu, Lu, Shi, Qian,
    Du, Ye, Wei, Ren, Shen, Cheng, Fang, Jin, Yao, Tan, Choi, Jung, Kang, Cho, Yoon, Shin,
    Sharma, Gupta, Patel, Shah, Das, Agarwal, Reddy, Jain, Mishra, Verma, Chatterjee, Banerjee,
    Mukherjee, Iyer, Rao, Nair, Tanaka, Suzuki, Sato, Takahashi, Watanabe, Ito, Yamamoto,
    Nakamura, Kobayashi, Kato, Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner,
    Becker, Schulz, Hoffmann, Johnson, Williams, Brown, Jones, Miller, Davis, Garcia, Rodriguez,
    Martinez, Hernandez, Lopez, Gonzalez, Wilson, Anderson, Thomas, Taylor, Moore, Jackson,
    Martin, Thompson, White, Harris, Clark, Lewis, Robinson, Walker, Young, Allen, King, Wright,
    Scott, Hill, Green, Adams, Baker, Nelson, Carter, Mitchell, Roberts, Turner, Phillips,
    Campbell, Parker, Evans, Edwards, Collins, Stewart, Morris, Rossi, Russo, Ferrari, Esposito,
    Bianchi, Romano, Colombo, Ricci, Marino, Dubois, Durand, Lefebvre, Moreau, Laurent, Simon,
    Michel, Bernard, Petit, Ivanov, Petrov, Smirnov, Kuznetsov, Popov, Sokolov, Volkov, Novak,
    Kowalski, Nowak, Wiśniewski, Nguyen, Tran, Le, Pham, Hoang, Vu, Cohen, Levi, Friedman,
    Katz, Mizrahi, Silva, Santos, Oliveira, Souza, Pereira, Costa, Ferreira, Almeida, Andersen,
    Nielsen, Hansen, Larsen, Johansson, Karlsson, Nilsson, Eriksson, Virtanen, Korhonen,
    de Vries, van Dijk, Bakker, Janssen, Visser, Smit, Meijer, Peeters, Maes, Jacobs,
    Papadopoulos, Georgiou, Yilmaz, Kaya, Demir, Şahin, Hosseini, Ahmadi, Mohammadi, Rezaei,
    Karimi, Ahmed, Ali, Khan, Hassan, Hussain, Ibrahim, Mahmoud, Haddad, Okafor, Adeyemi,
    Mensah, Owusu, Kariuki, Mwangi, Dlamini, Nkosi, Hinton, LeCun, Bengio, Kingma, Schölkopf,
    Jordan, Ng, Sutskever, Goodfellow, Vaswani, Silver, Hassabis, Levine, Abbeel, Finn,
    Salakhutdinov, Hochreiter, Schmidhuber, Bottou, Vapnik, Ghahramani, Welling, Tishby,
    Tenenbaum, Pearl, Sutton, Barto, Russell, Darrell, Malik, Fei-Fei, Torralba, Efros,
    Zisserman, Vedaldi, Manning, Jurafsky, Collobert, Mikolov, Pennington, Devlin, Radford,
    Brock, Karras, Rombach, Ommer, Ho, Sohl-Dickstein, Vincent, Larochelle, Courville"""
)
SURNAME_PARTS = {
    "slavic": (
        split_words(
            "Kovalen, Petro, Shevchen, Bonda, Tkachen, Lysen, Moroz, Hrytsen, Savchen, Kraven"
        ),
        split_words("ko, vic, vich, ov, ova, ski, sky, czyk, iak, enko"),
    ),
    "german": (
        split_words("Holz, Ros, Stein, Berg, Wald, Eisen, Hart, Lich, Blum, Kirch, Feld, Brand"),
        split_words("mann, enberg, hauser, feld, meier, inger, ner, hardt, bach, gruber, ler"),
    ),
    "italian": (
        split_words("Bel, Mar, Car, Gal, Fer, Ros, Bon, Val, Pel, Cas, Ser, Mon, Ber"),
        split_words("lini, etti, ucci, aldi, one, ari, ino, ello, otti, ano, esi, ieri"),
    ),
    "japanese": (
        split_words("Yama, Naka, Taka, Kawa, Mori, Hayashi, Ishi, Fuji, Matsu, Hashi, Kita, Shima"),
        split_words("moto, mura, da, guchi, saki, shita, no, hara, oka, zawa, kawa, ta"),
    ),
    "spanish": (
        split_words("Fernán, Rodrí, Sánch, Domíngu, Vásqu, Benít, Gutiérr, Ramír, Álvar, Suár"),
        split_words("dez, guez, ez, es, ega, ado, ero, illa, ales"),
    ),
    "nordic": (
        split_words("Lund, Berg, Sand, Lind, Holm, Ek, Ström, Dahl, Sjö, Ny, Gran, Björk"),
        split_words("qvist, ström, gren, berg, lund, man, dahl, holm, vall, ius"),
    ),
    "greek": (
        split_words("Papa, Kon, Nik, Geor, Dimi, Alex, Vasi, Chris, Anto, Ioan"),
        split_words("dopoulos, stantinou, olaidis, giou, triou, androu, liadis, tou, nakis, idis"),
    ),
    "indian": (
        split_words("Chakra, Bhatta, Sri, Venkat, Rama, Krishna, Subra, Bala, Raghu, Nara, Gopa"),
        split_words("borty, charya, vastava, araman, nathan, murthy, manian, swamy, van, yanan"),
    ),
}

FIRST_NAMES = split_words(
    """Wei, Yi, Jie, Xin, Yu, Hao, Jun, Lei, Yang, Jing, Min, Tao, Yan, Hui, Ming, Chen, Lin,
    Xiao, Jian, Qiang, Ji-Woo, Min-jun, Seo-yeon, Hyun, Sung, Jae, Rahul, Amit, Priya, Ananya,
    Arjun, Vikram, Neha, Sanjay, Deepak, Kavya, Hiroshi, Yuki, Takeshi, Haruto, Sakura, Kenji,
    John, David, Michael, James, Robert, Daniel, Thomas, Andrew, Christopher, Matthew, Sarah,
    Emily, Jessica, Laura, Anna, Maria, Elena, Sofia, Julia, Emma, Olivia, Lucas, Felix, Jonas,
    Lukas, Maximilian, Hannah, Lena, Marco, Luca, Giulia, Francesco, Alessandro, Pierre,
    Julien, Camille, Antoine, Mathieu, Dmitri, Alexei, Sergei, Ivan, Natalia, Olga, Tatiana,
    Piotr, Tomasz, Katarzyna, Minh, Linh, Duc, Yosef, Noa, Tamar, Ariel, João, Pedro, Ana,
    Lucía, Carlos, Javier, Diego, Alejandro, Mohammad, Ali, Reza, Sara, Fatemeh, Ahmed, Omar,
    Youssef, Layla, Amina, Chinedu, Ngozi, Kwame, Ama, Wanjiru, Thabo, Lars, Erik, Ingrid,
    Astrid, Mikko, Aino, Pieter, Sanne, Dimitris, Eleni, Mehmet, Elif, Ayşe, Oliver, George,
    Samuel, Benjamin, Nathan, Ethan, Noah, Liam, Grace, Chloe, Zoe, Isabel, Clara, Alice"""
)

# Short names of papers: pieces and famous names.
NAME_ROOTS = split_words(
    """Graph, Flow, Point, Vox, Mesh, Diff, Seg, Dino, Mamba, Llama, Res, Dense, Mobile, Swin,
    Mask, Deep, Neuro, Bio, Med, Geo, Chem, Mol, Proto, Meta, Hyper, Omni, Uni, Pan, Poly,
    Octo, Star, Sky, Ocean, Terra, Astro, Quantum, Crystal, Atom, Pixel, Token, Prompt, Code,
    Math, Logic, Chat, Talk, Speech, Sound, Audio, Music, Video, Motion, Pose, Hand, Face, Scene,
    Depth, Light, Shadow, Color, Style, Sketch, Text, Doc, Table, Chart, Web, Mind, Brain, Cell,
    Gene, Protein, Drug, Fold, Dock, Path, Route, Map, Nav, Drive, Robo, Grasp, Walk, Fly, Swarm,
    Fed, Priv, Fair, Safe, Trust, Guard, Shield, Lens, Scope, Spark, Flash, Turbo, Nano, Micro,
    Tiny, Lite, Fast, Long, Wide, Dream, Instruct, Control, Vision, Wave, Tab, Time, Event,
    Spike, Edge, Cloud, Fusion, Sparse, Dyna, Hydra, Echo, Fractal, Prism, Vertex, Tensor,
    Kernel, Cascade, Mirror, Beacon, Anchor, Compass, Orbit, Pulse, Ripple, Shift, Stitch"""
)
NAME_SUFFIXES = split_words(
    """Net, Former, GAN, BERT, Diff, Flow, Mixer, Fusion, Seg, Det, NeRF, GPT, LM, Bench,
    Gym, Agent, Bot, VAE, Match, Track, Pose, Rec, Search, Zero, X, Nav, Gen, Edit, Sim, Opt,
    Coder, Tuner, Vision, Voice, Graph, Mind, Fold, Dock, Scope, Lens"""
)
EVERYDAY_NAMES = split_words(
    """Chinchilla, Gopher, Flamingo, Hyena, Falcon, Orca, Vicuna, Alpaca, Dolphin, Phoenix,
    Hydra, Atlas, Titan, Odyssey, Nova, Aurora, Zephyr, Mistral, Sparrow, Koala, Panda, Otter,
    Beaver, Badger, Lynx, Puma, Jaguar, Cheetah, Mantis, Octopus, Squid, Jellyfish, Starfish,
    Coral, Kelp, Lotus, Bamboo, Cactus, Maple, Willow, Cedar, Sequoia, Acorn, Pebble, Granite,
    Marble, Obsidian, Quartz, Onyx, Amber, Jade, Ruby, Sapphire, Emerald, Topaz, Opal, Pearl,
    Comet, Meteor, Nebula, Quasar, Pulsar, Galaxy, Cosmos, Horizon, Zenith, Apex, Summit,
    Voyager, Pioneer, Explorer, Pathfinder, Navigator, Sentinel, Guardian, Oracle, Sage,
    Muse, Echo, Mirage, Prism, Spectrum, Kaleidoscope, Mosaic, Tapestry, Origami, Lego,
    Domino, Chameleon, Gecko, Salamander, Tortoise, Hare, Raven, Owl, Hawk, Eagle, Condor,
    Pelican, Heron, Crane, Swan, Goose, Penguin, Albatross, Kiwi, Mango, Papaya, Lychee,
    Durian, Saffron, Ginger, Pepper, Basil, Sherlock, Watson, Merlin, Gandalf, Athena, Apollo,
    Hermes, Janus, Prometheus, Icarus, Pandora, Medusa, Cerberus, Pegasus, Sphinx"""
)
FAMOUS_NAMES = split_words(
    """BERT, GPT, CLIP, ViT, ResNet, NeRF, SAM, DETR, YOLO, U-Net, LoRA, Adam, GAN, VAE, DINO,
    MAE, T5, LLaMA, BLIP, Mamba, PointNet, wav2vec, Whisper, AlphaFold, MuZero, PPO, DQN"""
)
FAMOUS_PREFIXES = split_words(
    """Sci, Bio, Med, Clinical, Legal, Fin, Code, Math, Chem, Geo, Video, Point, Graph, Audio,
    Tiny, Distil, Ro, Long, Fast, Mobile, Efficient, Sparse, Q, Dy, Ada, Hyper, Meta, Open,
    Vision, Time, Tab, Mol, Prot, Astro, Edu, Agri, Eco, Urban, Auto"""
)
VERSIONS = ("-2", "-3", "v2", "v3", "++", "-XL", "-L", "-Lite", "-Zero", "-V")
SMALL_WORDS = frozenset(
    split_words(
        """a, an, and, as, at, but, by, for, from, in, into, nor, of, on, or, per, the, to,
        via, vs, with"""
    )
)

# Words of abstracts besides the title's: academic prose, most frequent first.
ABSTRACT_WORDS = split_words(
    """the, of, and, to, a, in, we, is, that, for, on, this, with, our, are, by, as, an, be,
    which, model, from, can, method, data, these, results, show, learning, approach, it,
    performance, propose, paper, both, not, such, than, also, existing, task, tasks, based,
    methods, training, problem, proposed, new, two, more, using, while, novel, has, have,
    however, experiments, demonstrate, state-of-the-art, achieves, significantly, improves,
    framework, benchmark, benchmarks, analysis, each, between, into, large, across, set,
    their, its, information, first, different, various, use, only, over, one, network, models,
    datasets, accuracy, work, under, without, provide, outperforms, effective, efficient,
    approaches, evaluation, baselines, extensive, real-world, structure, space, features,
    representation, input, output, trained, test, error, small, number, high, low, time, cost,
    computational, theoretical, empirical, prior, previous, recent, key, main, challenge,
    challenges, limited, scale, setting, settings, study, studies, framework, leads, leading,
    enables, allows, further, particular, general, simple, strong, robust, better, improved,
    competitive, comparable, consistently, substantially, notably, effectively, efficiently,
    specifically, moreover, furthermore, finally, code, available, publicly, released"""
)
